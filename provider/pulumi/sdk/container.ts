// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../../../core/errors.js";
import type * as types from "./types.js";

/** The arguments of a Container. */
export interface ContainerArgs {
  /** The id of a cinfra Image. */
  image: pulumi.Input<string>;
  /** Replaces the image's Cmd. */
  command?: pulumi.Input<pulumi.Input<string>[]>;
  entrypoint?: pulumi.Input<pulumi.Input<string>[]>;
  env?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  workdir?: pulumi.Input<string>;
  /** A user as name, uid or uid:gid. */
  user?: pulumi.Input<string>;
  hostname?: pulumi.Input<string>;
  /** Live-updatable. */
  limits?: pulumi.Input<types.ContainerLimitsArgs>;
  networks?: pulumi.Input<pulumi.Input<types.NetworkAttachmentArgs>[]>;
  /** "none" (loopback only), "host", or "container:<id>" to join that Container's network namespace; exclusive with networks. */
  network?: pulumi.Input<string>;
  /** "container:<id>": join that Container's IPC namespace. */
  ipc?: pulumi.Input<string>;
  /** "container:<id>": join that Container's pid namespace (its processes show in ps and /proc); not with init. */
  pidMode?: pulumi.Input<string>;
  mounts?: pulumi.Input<pulumi.Input<types.MountArgs>[]>;
  /** "no", "on-failure[:max-retries]", "always" or "unless-stopped"; live-updatable. */
  restart?: pulumi.Input<string>;
  /** Seconds between stopSignal and SIGKILL (default 10); live-updatable. */
  stopTimeout?: pulumi.Input<number>;
  /** Live-updatable. */
  stopSignal?: pulumi.Input<string>;
  /** A minimal init as PID 1 that forwards signals and reaps zombies. */
  init?: pulumi.Input<boolean>;
  capabilities?: pulumi.Input<types.CapabilitiesArgs>;
  privileged?: pulumi.Input<boolean>;
  readOnlyRootfs?: pulumi.Input<boolean>;
  noNewPrivileges?: pulumi.Input<boolean>;
  /** Namespaced sysctls only. */
  sysctls?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  ulimits?: pulumi.Input<{ [key: string]: pulumi.Input<types.UlimitArgs> }>;
  tmpfs?: pulumi.Input<pulumi.Input<types.TmpfsArgs>[]>;
  /** "default" or "unconfined". */
  seccomp?: pulumi.Input<string>;
  /** "running", "stopped" or "paused"; live-updatable. */
  desiredState?: pulumi.Input<string>;
  ports?: pulumi.Input<pulumi.Input<types.PortArgs>[]>;
  /** Size of /dev/shm (default 64Mi). */
  shmSize?: pulumi.Input<string>;
  devices?: pulumi.Input<pulumi.Input<types.DeviceArgs>[]>;
  /** "auto" (a free 65536-id host range of cinfra's) or explicit maps: root inside is not root outside. */
  userns?: pulumi.Input<string | types.UsernsMaps>;
}

/** A container on cinfra's runtime: namespaces, cgroups, overlayfs, supervised by its shim. */
export class Container extends pulumi.CustomResource {
  /** @internal */
  static readonly __pulumiType = "cinfra:index:Container";

  /** An existing Container's state, looked up by its id. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Container {
    return new Container(name, undefined, { ...opts, id });
  }

  static override isInstance(obj: unknown): obj is Container {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === Container.__pulumiType;
  }

  /** The id of a cinfra Image. */
  declare public readonly image: pulumi.Output<string>;
  /** Replaces the image's Cmd. */
  declare public readonly command: pulumi.Output<string[] | undefined>;
  declare public readonly entrypoint: pulumi.Output<string[] | undefined>;
  declare public readonly env: pulumi.Output<{ [key: string]: string } | undefined>;
  declare public readonly workdir: pulumi.Output<string | undefined>;
  /** A user as name, uid or uid:gid. */
  declare public readonly user: pulumi.Output<string | undefined>;
  declare public readonly hostname: pulumi.Output<string | undefined>;
  /** Live-updatable. */
  declare public readonly limits: pulumi.Output<types.ContainerLimits | undefined>;
  declare public readonly networks: pulumi.Output<types.NetworkAttachment[] | undefined>;
  /** "none" (loopback only), "host", or "container:<id>" to join that Container's network namespace; exclusive with networks. */
  declare public readonly network: pulumi.Output<string | undefined>;
  /** "container:<id>": join that Container's IPC namespace. */
  declare public readonly ipc: pulumi.Output<string | undefined>;
  /** "container:<id>": join that Container's pid namespace (its processes show in ps and /proc); not with init. */
  declare public readonly pidMode: pulumi.Output<string | undefined>;
  declare public readonly mounts: pulumi.Output<types.Mount[] | undefined>;
  /** "no", "on-failure[:max-retries]", "always" or "unless-stopped"; live-updatable. */
  declare public readonly restart: pulumi.Output<string | undefined>;
  /** Seconds between stopSignal and SIGKILL (default 10); live-updatable. */
  declare public readonly stopTimeout: pulumi.Output<number | undefined>;
  /** Live-updatable. */
  declare public readonly stopSignal: pulumi.Output<string | undefined>;
  /** A minimal init as PID 1 that forwards signals and reaps zombies. */
  declare public readonly init: pulumi.Output<boolean | undefined>;
  declare public readonly capabilities: pulumi.Output<types.Capabilities | undefined>;
  declare public readonly privileged: pulumi.Output<boolean | undefined>;
  declare public readonly readOnlyRootfs: pulumi.Output<boolean | undefined>;
  declare public readonly noNewPrivileges: pulumi.Output<boolean | undefined>;
  /** Namespaced sysctls only. */
  declare public readonly sysctls: pulumi.Output<{ [key: string]: string } | undefined>;
  declare public readonly ulimits: pulumi.Output<{ [key: string]: types.Ulimit } | undefined>;
  declare public readonly tmpfs: pulumi.Output<types.Tmpfs[] | undefined>;
  /** "default" or "unconfined". */
  declare public readonly seccomp: pulumi.Output<string | undefined>;
  /** "running", "stopped" or "paused"; live-updatable. */
  declare public readonly desiredState: pulumi.Output<string | undefined>;
  declare public readonly ports: pulumi.Output<types.Port[] | undefined>;
  /** Size of /dev/shm (default 64Mi). */
  declare public readonly shmSize: pulumi.Output<string | undefined>;
  declare public readonly devices: pulumi.Output<types.Device[] | undefined>;
  /** "auto" (a free 65536-id host range of cinfra's) or explicit maps: root inside is not root outside. */
  declare public readonly userns: pulumi.Output<(string | types.UsernsMaps) | undefined>;
  /** Host pid of the container's init while it runs. */
  declare public readonly pid: pulumi.Output<number | undefined>;
  /** Address on each attached network, by network id. */
  declare public readonly ipAddresses: pulumi.Output<{ [key: string]: string }>;
  declare public readonly startedAt: pulumi.Output<string | undefined>;
  declare public readonly exitCode: pulumi.Output<number | undefined>;
  declare public readonly restarts: pulumi.Output<number>;

  constructor(name: string, args: ContainerArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: ContainerArgs | undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args?: ContainerArgs, opts: pulumi.CustomResourceOptions = {}) {
    if (opts.id === undefined) {
      if (args?.image === undefined) throw new ValidationError(`container.${name}.image`, "is required");
    }
    const inputs: pulumi.Inputs = {
      image: args?.image,
      command: args?.command,
      entrypoint: args?.entrypoint,
      env: args?.env,
      workdir: args?.workdir,
      user: args?.user,
      hostname: args?.hostname,
      limits: args?.limits,
      networks: args?.networks,
      network: args?.network,
      ipc: args?.ipc,
      pidMode: args?.pidMode,
      mounts: args?.mounts,
      restart: args?.restart,
      stopTimeout: args?.stopTimeout,
      stopSignal: args?.stopSignal,
      init: args?.init,
      capabilities: args?.capabilities,
      privileged: args?.privileged,
      readOnlyRootfs: args?.readOnlyRootfs,
      noNewPrivileges: args?.noNewPrivileges,
      sysctls: args?.sysctls,
      ulimits: args?.ulimits,
      tmpfs: args?.tmpfs,
      seccomp: args?.seccomp,
      desiredState: args?.desiredState,
      ports: args?.ports,
      shmSize: args?.shmSize,
      devices: args?.devices,
      userns: args?.userns,
      pid: undefined,
      ipAddresses: undefined,
      startedAt: undefined,
      exitCode: undefined,
      restarts: undefined,
    };
    super(Container.__pulumiType, name, inputs, { version: "0.1.0", ...opts });
  }
}
