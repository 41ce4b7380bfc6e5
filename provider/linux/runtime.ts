/** The local Linux runtime: every kind's operations over this host's kernel, plus container actions. */
import type { Kind } from "../../core/model/types.js";
import type { KindOperations, RuntimeWithActions } from "../../core/runtime.js";
import { buildImage } from "./build/builder.js";
import { createCgroupManager } from "./cgroups/index.js";
import type { RuntimeConfig } from "./config.js";
import { openImageStore } from "./images/index.js";
import { Links } from "./net/links.js";
import { NetlinkSocket } from "./net/netlink-socket.js";
import { containerOperations } from "./resources/container.js";
import { containerPaths } from "./resources/container-paths.js";
import { imageOperations } from "./resources/image.js";
import { readLog } from "./resources/logs.js";
import { execInContainer } from "./resources/exec.js";
import { copyFromContainer, copyToContainer, exportFilesystem } from "./resources/copy.js";
import { commitContainer } from "./resources/commit.js";
import type { Writable } from "node:stream";
import { containerProcesses, inspectContainer } from "./resources/inspect.js";
import { networkOperations } from "./resources/network.js";
import { volumeOperations } from "./resources/volume.js";

export function createLinuxRuntime(config: RuntimeConfig): RuntimeWithActions {
  let hostLinks: Links | undefined;
  // One netlink socket in the host's namespace, opened on first use (loading koffi costs a few ms).
  const links = () => (hostLinks ??= new Links(NetlinkSocket.open()));
  const cgroups = createCgroupManager({ root: config.cgroupRoot, parent: config.cgroupParent });
  const images = openImageStore(config.libRoot);
  const deps = { config, cgroups, images, links };
  const byKind: Record<Kind, KindOperations> = {
    image: imageOperations(images, async (request, progress) => (await buildImage(deps, request, { progress })).image),
    volume: volumeOperations(config),
    network: networkOperations(config, links),
    container: containerOperations(deps),
  };
  return {
    operations: (kind) => byKind[kind],
    containers: {
      logs: (state, options) => readLog(containerPaths(config, state.id).log, options),
      exec: (state, args, options) => execInContainer(containerPaths(config, state.id).stateDir, args, options),
      stats: (state) => cgroups.stats(state.id),
      inspect: (state) => inspectContainer(config, cgroups, state),
      top: (state) => containerProcesses(cgroups, state),
      copy: async (state, direction, containerPath, hostPath) => {
        const stateDir = containerPaths(config, state.id).stateDir;
        if (direction === "from") copyFromContainer(stateDir, containerPath, hostPath);
        else copyToContainer(stateDir, hostPath, containerPath);
      },
      exportFilesystem: (state, out) => exportFilesystem(containerPaths(config, state.id).stateDir, out as Writable),
      commit: (state, name) => commitContainer(config, images, state, name),
    },
    async close() {
      hostLinks?.socket.close();
      hostLinks = undefined;
    },
  };
}
