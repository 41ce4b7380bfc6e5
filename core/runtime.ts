import type { Kind, Props, ResourceState, Urn } from "./model/types.js";

/** What a runtime operation may know besides its own resource. */
export interface OperationContext {
  stack: string;
  /** State of every resource this one depends on (already created), by urn. */
  deps: ReadonlyMap<Urn, ResourceState>;
  /**
   * Per-resource progress line ("pulling layer 2/5", …). With `bar`, one of several counters shown as
   * a progress bar on a terminal (a layer download: key = its digest), redrawn in place.
   */
  progress(message: string, bar?: ProgressBar): void;
}

/** A counter of one sub-task (bytes of a layer): shown as a bar on a terminal, as start/end lines otherwise. */
export interface ProgressBar {
  key: string;
  done: number;
  total: number;
}

export interface CreateRequest {
  urn: Urn;
  name: string;
  /** Chosen by the applier and recorded as a pending operation before the call. */
  id: string;
  props: Props;
}

export interface CreateResult {
  id: string;
  outputs: Props;
}

/** What really exists, for refresh and drift. `props` uses the same shape as inputs. */
export interface LiveResource {
  id: string;
  props: Props;
  outputs: Props;
  /** Container run state ("running", "exited", …); absent for other kinds. */
  status?: string;
}

/**
 * One kind's operations. `update` is only called for props the kind's schema marks
 * live-updatable, and must really apply them (or throw, leaving state untouched).
 * `delete` must be idempotent and tolerate a half-created object (crash recovery).
 */
export interface KindOperations {
  create(ctx: OperationContext, req: CreateRequest): Promise<CreateResult>;
  update(ctx: OperationContext, prior: ResourceState, props: Props): Promise<Props>;
  delete(ctx: OperationContext, prior: ResourceState): Promise<void>;
  read(ctx: OperationContext, prior: ResourceState): Promise<LiveResource | null>;
}

export interface Runtime {
  operations(kind: Kind): KindOperations;
  close(): Promise<void>;
}

export interface ExecOptions {
  /** The caller's terminal ("inherit") or pipes to capture. */
  stdio: "inherit" | "pipe";
  /** `-i`: the command reads the caller's stdin (or `input` with pipes); otherwise /dev/null, as Docker. */
  interactive?: boolean;
  /** `-t`: the command gets a terminal (from the container's devpts), relayed to the caller. */
  tty?: boolean;
  /** With stdio "pipe" and interactive: what the command reads. */
  input?: string;
}

/** One line of a container's output: `text` without its newline; `partial` when the line never ended
 *  (the writer exited mid-line). `time` is RFC 3339 with nanoseconds, UTC, when the shim read it. */
export interface LogEntry {
  time: string;
  stream: "stdout" | "stderr";
  text: string;
  partial?: boolean;
}

export interface LogOptions {
  follow: boolean;
  /** Only the last `tail` lines (before following). */
  tail?: number;
  /** Epoch ms bounds on an entry's time: since inclusive, until exclusive. */
  since?: number;
  until?: number;
  signal?: AbortSignal;
}

/** Actions on running containers that are not part of the declarative lifecycle (logs, …). */
export interface ContainerActions {
  /** Log entries of a container (stdout and stderr, oldest first, across rotated files); with `follow`, keeps
   *  yielding until aborted or the container is gone for good. */
  logs(state: ResourceState, options: LogOptions): AsyncIterable<LogEntry>;
  /** Run a command inside the running container (its namespaces, cgroup, user, env, cwd); resolves to its exit code. */
  exec(state: ResourceState, args: string[], options: ExecOptions): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Resource usage from the container's cgroup. */
  stats(state: ResourceState): Promise<ContainerStats>;
  /** Runtime details as `docker inspect` shows them (state, overlay dirs, namespaces, cgroups, network). */
  inspect(state: ResourceState): Promise<Record<string, unknown>>;
  /** `docker cp` both ways: "container:path" on one side, a host path on the other. */
  copy(state: ResourceState, direction: "from" | "to", containerPath: string, hostPath: string): Promise<void>;
  /** The container's merged filesystem as a tar stream. */
  exportFilesystem(state: ResourceState, out: NodeJS.WritableStream): Promise<void>;
  /** The container's processes with host and container pids. */
  top(state: ResourceState): Promise<{ hostPid: number; containerPid: number; command: string }[]>;
  /** `docker commit`: the container's changes as a new layer on its image, stored under `name`; resolves to the image id. */
  commit(state: ResourceState, name: string): Promise<{ id: string; name: string }>;
}

export interface ContainerStats {
  memoryUsage: number;
  memoryLimit: number | null;
  memoryFailcnt: number;
  oomKills: number;
  cpuUsageNs: number;
  pidsCurrent: number;
}

export interface RuntimeWithActions extends Runtime {
  containers: ContainerActions;
}
