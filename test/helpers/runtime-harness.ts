import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Kind, Props, ResourceState, Urn } from "../../core/model/types.js";
import type { OperationContext, RuntimeWithActions } from "../../core/runtime.js";
import { createLinuxRuntime } from "../../provider/linux/runtime.js";
import type { RuntimeConfig } from "../../provider/linux/config.js";
import { makeBusyboxRootfs, runTag } from "./busybox-rootfs.js";
import { kernelObjectsNamed } from "./leaks.js";

/**
 * The real runtime with per-run roots and names (`cinfra<tag>…`), driven resource by resource,
 * with everything it created deleted in reverse order by `teardown()`.
 */
export class RuntimeHarness {
  readonly tag = runTag();
  readonly dir = `/tmp/cinfra${this.tag}-rt`;
  readonly config: RuntimeConfig = {
    libRoot: join(this.dir, "lib"), runRoot: `/run/cinfra${this.tag}`, cgroupRoot: "/sys/fs/cgroup",
    cgroupParent: `cinfra${this.tag}`, linkPrefix: `cinfra${this.tag}`,
  };
  readonly runtime: RuntimeWithActions = createLinuxRuntime(this.config);
  private readonly created: ResourceState[] = [];
  private counter = 0;

  constructor() {
    mkdirSync(this.dir, { recursive: true });
  }

  ctx(deps: ResourceState[] = []): OperationContext {
    return { stack: "test", deps: new Map(deps.map((d) => [d.urn, d])), progress: () => {} };
  }

  async create(kind: Kind, name: string, props: Props, deps: ResourceState[] = []): Promise<ResourceState> {
    const urn = `${kind}.${name}` as Urn;
    const id = `${this.tag}${(this.counter++).toString(16).padStart(4, "0")}`;
    const result = await this.runtime.operations(kind).create(this.ctx(deps), { urn, name, id, props });
    const state: ResourceState = { urn, kind, name, id: result.id, inputs: props, outputs: result.outputs, dependsOn: deps.map((d) => d.urn) };
    this.created.push(state);
    return state;
  }

  async busyboxImage(): Promise<ResourceState> {
    const rootfs = makeBusyboxRootfs(join(this.dir, `rootfs-${this.counter}`));
    return this.create("image", "busybox", { rootfs, config: { env: { PATH: "/bin" } } });
  }

  /** A container of the busybox image (busyboxImage() first) running `sh -c command`, `props` on top. */
  async shell(name: string, command: string, props: Record<string, unknown> = {}, deps: ResourceState[] = []): Promise<ResourceState> {
    const image = this.createdImage();
    if (!image) throw new Error("RuntimeHarness.shell: call busyboxImage() first");
    return this.create("container", name, { image: { $ref: "image.busybox" }, command: ["sh", "-c", command], ...props } as never, [image, ...deps]);
  }

  /** The image busyboxImage() made (for tests that create containers later). */
  createdImage(): ResourceState | undefined {
    return this.created.find((r) => r.kind === "image");
  }

  async delete(state: ResourceState): Promise<void> {
    await this.runtime.operations(state.kind).delete(this.ctx(), state);
    this.created.splice(this.created.indexOf(state), 1);
  }

  /** The container's output as text (both streams unless one is named; order across streams is the shim's reading order). */
  async logs(state: ResourceState, stream?: "stdout" | "stderr"): Promise<string> {
    let text = "";
    for await (const e of this.runtime.containers.logs(state, { follow: false })) {
      if (!stream || e.stream === stream) text += e.partial ? e.text : `${e.text}\n`;
    }
    return text;
  }

  /** Poll until the container has finished for good (not running, not between restarts); returns its live outputs. */
  async waitExit(state: ResourceState, timeoutMs = 15_000): Promise<Props> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = await this.runtime.operations("container").read(this.ctx(), state);
      const settled = !["running", "restarting", "created"].includes(live?.status ?? "missing");
      if (settled || Date.now() > deadline) return { ...live?.outputs, status: live?.status ?? "missing" };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async teardown(): Promise<string[]> {
    for (const state of [...this.created].reverse()) {
      await this.runtime.operations(state.kind).delete(this.ctx(), state).catch(() => undefined);
    }
    await this.runtime.close();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.config.runRoot, { recursive: true, force: true });
    return kernelObjectsNamed(`cinfra${this.tag}`);
  }
}
