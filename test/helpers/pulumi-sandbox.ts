/**
 * Per-run roots and names for the Pulumi plugin tests, handed to the plugin through Configure
 * (not the environment), and a teardown that removes whatever the lifecycle left behind.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Kind, ResourceState, Urn } from "../../core/model/types.js";
import { createLinuxRuntime } from "../../provider/linux/runtime.js";
import type { RuntimeConfig } from "../../provider/linux/config.js";
import { makeBusyboxRootfs, runTag } from "./busybox-rootfs.js";
import { kernelObjectsNamed } from "./leaks.js";

export class PulumiSandbox {
  readonly tag = runTag();
  readonly dir = `/tmp/cinfra${this.tag}-pulumi`;
  readonly config: RuntimeConfig = {
    libRoot: join(this.dir, "lib"), runRoot: `/run/cinfra${this.tag}`, cgroupRoot: "/sys/fs/cgroup",
    cgroupParent: `cinfra${this.tag}`, linkPrefix: `cinfra${this.tag}`,
  };
  /** What each test created, by kind and id, so teardown can delete it even after a failure. */
  readonly created: { kind: Kind; id: string; name: string }[] = [];

  /** Provider configuration as a Pulumi program sets it (`cinfra:libRoot`, …). */
  providerConfig(): Record<string, string> {
    const { libRoot, runRoot, cgroupRoot, cgroupParent, linkPrefix } = this.config;
    return { libRoot, runRoot, cgroupRoot, cgroupParent, linkPrefix };
  }

  /** The plugin's environment: the test's, without CINFRA_* roots, so only Configure can point it here. */
  pluginEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CINFRA_")));
  }

  rootfs(): string {
    return makeBusyboxRootfs(join(this.dir, "rootfs"));
  }

  memoryLimit(id: string): number {
    return Number(readFileSync(this.memoryFile(id), "utf8").trim());
  }

  memoryFile(id: string): string {
    const v1 = join(this.config.cgroupRoot, "memory", this.config.cgroupParent, id, "memory.limit_in_bytes");
    return existsSync(v1) ? v1 : join(this.config.cgroupRoot, this.config.cgroupParent, id, "memory.max");
  }

  /** Delete (through the runtime, newest first) what a failed test left, then the roots; returns leaked kernel objects. */
  async teardown(stack: string): Promise<string[]> {
    const runtime = createLinuxRuntime(this.config);
    const ctx = { stack, deps: new Map(), progress: () => {} };
    for (const { kind, id, name } of [...this.created].reverse()) {
      const state: ResourceState = { urn: `${kind}.${name}` as Urn, kind, name, id, inputs: {}, outputs: {}, dependsOn: [] };
      await runtime.operations(kind).delete(ctx, state).catch(() => undefined);
    }
    await runtime.close();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.config.runRoot, { recursive: true, force: true });
    return kernelObjectsNamed(`cinfra${this.tag}`);
  }
}
