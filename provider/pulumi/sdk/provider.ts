// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import * as pulumi from "@pulumi/pulumi";

/** The arguments of a cinfra Provider. */
export interface ProviderArgs {
  /** Persistent data: image layers, volumes, container upper dirs. */
  libRoot?: pulumi.Input<string>;
  /** Volatile data: container state dirs and named netns files. */
  runRoot?: pulumi.Input<string>;
  /** Root of the cgroup filesystem. */
  cgroupRoot?: pulumi.Input<string>;
  /** Name of cinfra's parent cgroup. */
  cgroupParent?: pulumi.Input<string>;
  /** Prefix of every network interface cinfra creates. */
  linkPrefix?: pulumi.Input<string>;
}

/** The cinfra provider: where the local runtime keeps its objects on this host. */
export class Provider extends pulumi.ProviderResource {
  /** @internal */
  static readonly __pulumiType = "cinfra";

  constructor(name: string, args: ProviderArgs = {}, opts: pulumi.ResourceOptions = {}) {
    const inputs: pulumi.Inputs = {
      libRoot: args.libRoot,
      runRoot: args.runRoot,
      cgroupRoot: args.cgroupRoot,
      cgroupParent: args.cgroupParent,
      linkPrefix: args.linkPrefix,
    };
    super(Provider.__pulumiType, name, inputs, { version: "0.1.0", ...opts });
  }
}
