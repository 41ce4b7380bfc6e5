/**
 * One drift scan: every managed resource's live state (the kinds' `read`), the host checks `read`
 * does not cover, and the objects on this host that carry cinfra's ownership but are in no state.
 * Shared by `drift`, `refresh`, `apply --refresh` and the reconcile loop.
 */
import { driftReport, type DriftFinding, type DriftReport, type OwnedObject } from "../../core/drift/compare.js";
import type { DesiredResource, StackState, Urn } from "../../core/model/types.js";
import { plan as makePlan } from "../../core/planner/plan.js";
import type { LiveResource, OperationContext, Runtime } from "../../core/runtime.js";
import type { StateStore } from "../../core/state-store.js";
import type { RuntimeConfig } from "../../provider/linux/config.js";
import { openImageStore } from "../../provider/linux/images/index.js";
import { Links } from "../../provider/linux/net/links.js";
import { NetlinkSocket } from "../../provider/linux/net/netlink-socket.js";
import { interfaceAddresses, probeStack, unmanagedObjects } from "../../provider/linux/resources/owned-objects.js";

export interface StackScan {
  state: StackState;
  live: Map<Urn, LiveResource | null>;
  probes: DriftFinding[];
  /** Unmanaged objects that claim this stack. */
  unmanaged: OwnedObject[];
  report: DriftReport;
}

export interface DriftScan {
  checkedAt: string;
  durationMs: number;
  stacks: StackScan[];
}

export interface ScanOptions {
  store: StateStore;
  runtime: Runtime;
  config: RuntimeConfig;
  /** Only this stack (and unmanaged objects claiming it); default: every stack in the store and every owner found on the host. */
  stack?: string;
  /** The stack's program: adds what it declares and its unapplied changes. */
  desired?: readonly DesiredResource[];
}

export async function scanDrift(options: ScanOptions): Promise<DriftScan> {
  const started = performance.now();
  const now = new Date();
  const names = await options.store.stacks();
  const states = await Promise.all(names.map((name) => options.store.load(name)));
  const links = new Links(NetlinkSocket.open());
  try {
    const linkList = links.listLinks();
    const unmanaged = unmanagedObjects(options.config, linkList, states);
    const wanted = options.stack !== undefined ? [options.stack] : [...new Set([...names, ...unmanaged.map((o) => o.stack)])].sort();
    const view = { config: options.config, links: linkList, images: openImageStore(options.config.libRoot), addresses: interfaceAddresses(links) };
    const scans: StackScan[] = [];
    for (const stack of wanted) {
      const state = states.find((s) => s.stack === stack) ?? (await options.store.load(stack));
      const live = await readLive(options.runtime, state);
      const probes = probeStack(view, state, live);
      const mine = unmanaged.filter((o) => o.stack === stack);
      const desired = options.stack !== undefined ? options.desired : undefined;
      const plan = desired ? makePlan(desired, state) : undefined;
      const report = driftReport({ state, live, probes, unmanaged: mine, desired, plan, now });
      scans.push({ state, live, probes, unmanaged: mine, report });
    }
    return { checkedAt: now.toISOString(), durationMs: performance.now() - started, stacks: scans };
  } finally {
    links.socket.close();
  }
}

/** Live state of every resource of a stack, by urn (null: gone from the host). */
export async function readLive(runtime: Runtime, state: StackState): Promise<Map<Urn, LiveResource | null>> {
  const deps = new Map(state.resources.map((r) => [r.urn, r]));
  const ctx: OperationContext = { stack: state.stack, deps, progress: () => {} };
  const live = new Map<Urn, LiveResource | null>();
  for (const resource of state.resources) live.set(resource.urn, await runtime.operations(resource.kind).read(ctx, resource));
  return live;
}

export function scanInSync(scan: DriftScan): boolean {
  return scan.stacks.every((s) => s.report.inSync);
}
