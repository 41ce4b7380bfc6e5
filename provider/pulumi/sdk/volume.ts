// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import * as pulumi from "@pulumi/pulumi";
import type * as types from "./types.js";

/** The arguments of a Volume. */
export interface VolumeArgs {
  /** Live-updatable. */
  labels?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/** A named volume: a directory under the runtime's lib root. */
export class Volume extends pulumi.CustomResource {
  /** @internal */
  static readonly __pulumiType = "cinfra:index:Volume";

  /** An existing Volume's state, looked up by its id. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Volume {
    return new Volume(name, undefined, { ...opts, id });
  }

  static override isInstance(obj: unknown): obj is Volume {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === Volume.__pulumiType;
  }

  /** Live-updatable. */
  declare public readonly labels: pulumi.Output<{ [key: string]: string } | undefined>;
  declare public readonly mountpoint: pulumi.Output<string>;

  constructor(name: string, args?: VolumeArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: VolumeArgs | undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args?: VolumeArgs, opts: pulumi.CustomResourceOptions = {}) {
    const inputs: pulumi.Inputs = {
      labels: args?.labels,
      mountpoint: undefined,
    };
    super(Volume.__pulumiType, name, inputs, { version: "0.1.0", ...opts });
  }
}
