/**
 * The container start sequence, top to bottom (bocker's model): every step registers its undo,
 * so a failure halfway leaves the host as it was. TypeScript decides everything here; the native
 * helper only executes the spec.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CreateRequest, CreateResult, OperationContext } from "../../../core/runtime.js";
import { RuntimeError } from "../../../core/errors.js";
import type { Props } from "../../../core/model/types.js";
import type { RuntimeConfig } from "../config.js";
import type { CgroupManager } from "../cgroups/index.js";
import type { ImageStore } from "../images/index.js";
import type { Links } from "../net/links.js";
import { prepareContainer, startContainer } from "../supervise/start.js";
import { stopContainer } from "../supervise/stop.js";
import { writeHealthSettings } from "../supervise/health.js";
import { asContainerInputs, cgroupCreateLimits, effectiveArgs, effectiveEnv, type ImageDefaults } from "./container-inputs.js";
import { attachNetworks } from "./container-network.js";
import { sharedNamespaces } from "./container-sharing.js";
import { containerPaths } from "./container-paths.js";
import { buildSpec } from "./container-spec.js";
import { writeInitialHosts } from "./hosts.js";
import { networkDir } from "./network.js";
import { writeOwner } from "./owner.js";
import { startPortProxy, stopPortProxy } from "./ports.js";
import { UndoStack } from "./undo-stack.js";
import { resolveUser } from "./user-lookup.js";
import { imageOutputs } from "./image.js";
import { hostDevices } from "./host-devices.js";
import { giveToContainerRoot, releaseUserns, resolveUserns } from "./userns.js";

export interface ContainerDeps {
  config: RuntimeConfig;
  cgroups: CgroupManager;
  images: ImageStore;
  links: () => Links;
}

export async function createContainer(deps: ContainerDeps, ctx: OperationContext, req: CreateRequest): Promise<CreateResult> {
  const { config, cgroups, images } = deps;
  const inputs = asContainerInputs(req.props);
  const imageState = ctx.deps.get(inputs.image.$ref);
  const image = imageState && images.getImage(imageState.id);
  if (!imageState || !image) throw new RuntimeError("IMAGE_MISSING", `image ${inputs.image.$ref} is not in the image store`);
  const paths = containerPaths(config, req.id);
  const shared = sharedNamespaces(ctx, config, inputs);
  const hostname = shared.net.kind === "joined" ? shared.net.hostname : inputs.hostname ?? req.name;

  return UndoStack.run(async (undo) => {
    // 1. Files: owner record first, so a crash from here on leaves something attributable.
    writeOwner(paths.dir, { stack: ctx.stack, kind: "container", name: req.name, id: req.id, createdAt: new Date().toISOString() });
    undo.push("container dirs", () => {
      rmSync(paths.dir, { recursive: true, force: true });
      rmSync(paths.stateDir, { recursive: true, force: true });
    });
    for (const dir of [paths.upper, paths.work, paths.rootfs, paths.stateDir]) mkdirSync(dir, { recursive: true });
    const userns = resolveUserns(config, req.id, inputs.userns);
    undo.push("user namespace range", () => releaseUserns(config, req.id));
    images.markInUse(image.id, req.id);
    undo.push("image reference", () => images.release(image.id, req.id));

    // 2. cgroups with their limits, before any process exists.
    const devices = hostDevices(inputs.devices);
    await cgroups.create(req.id, cgroupCreateLimits(inputs, devices));
    undo.push("cgroup", () => cgroups.destroy(req.id));

    // 3. Network namespace, veths, addresses, names.
    const links = deps.links();
    const attachments = await attachNetworks(ctx, config, links, { id: req.id, name: req.name, hostname }, inputs, paths, undo);
    writeInitialHosts(paths.hosts, { containerId: req.id, hostname }, attachments.map((a) => networkDir(config, a.networkId)));
    writeFileSync(paths.hostname, `${hostname}\n`);
    writeFileSync(paths.resolv, "# cinfra: container names resolve through /etc/hosts\noptions ndots:0\n");
    if (userns) giveToContainerRoot(userns, [paths.upper, paths.hosts, paths.hostname, paths.resolv]);

    // 4. The process: the spec says everything, the native helper executes it.
    const lowerDirs = images.lowerDirs(image);
    if (userns) lowerDirs.forEach((_, i) => mkdirSync(join(paths.idmapped, String(i)), { recursive: true }));
    // The image's own config (OCI keys) as container defaults, the shape image outputs use.
    const defaults = imageOutputs(image) as ImageDefaults;
    const user = resolveUser(inputs.user ?? defaults.user, lowerDirs);
    const spec = buildSpec({
      id: req.id, paths, lowerDirs, hostname, user, inputs,
      args: effectiveArgs(inputs, defaults), env: effectiveEnv(inputs, defaults, hostname),
      cwd: inputs.workdir ?? defaults.workdir ?? "/", cgroupProcs: cgroups.procsFiles(req.id),
      volumes: (id) => ctx.deps.get(id)?.outputs.mountpoint as string | undefined,
      devices: devices.map((d) => d.spec), shared, userns,
    });
    const ipAddresses: Props = Object.fromEntries(attachments.map((a) => [a.networkName, a.ip]));
    writeHealthSettings(paths.stateDir, inputs.healthcheck, { signal: inputs.stopSignal, timeoutS: inputs.stopTimeout });
    if (inputs.desiredState === "stopped") {
      prepareContainer(spec, inputs.restart); // created, not started (`docker create`)
      const outputs: Props = { id: req.id, ipAddresses };
      return { id: req.id, outputs };
    }
    const started = await startContainer(spec, inputs.restart);
    undo.push("process", () => stopContainer(paths.stateDir, { signal: "SIGKILL", timeoutMs: 0 }));
    if (inputs.ports?.length) {
      const target = attachments[0].ip; // the schema check guarantees a network when ports are published
      await startPortProxy(paths.stateDir, inputs.ports.map((p) => ({
        hostIp: p.hostIp ?? "0.0.0.0", hostPort: p.host, containerIp: target, containerPort: p.container, protocol: p.protocol ?? "tcp",
      })));
      undo.push("published ports", () => stopPortProxy(paths.stateDir));
    }
    if (inputs.desiredState === "paused") await cgroups.freeze(req.id);
    return {
      id: req.id,
      outputs: { id: req.id, pid: started.pid, ipAddresses, startedAt: new Date(started.startedAt).toISOString() },
    };
  });
}
