// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../../../core/errors.js";
import type * as types from "./types.js";

/** The arguments of a Image. */
export interface ImageArgs {
  /** Absolute path of a root filesystem directory (or .tar/.tar.gz). */
  rootfs: pulumi.Input<string>;
  config?: pulumi.Input<types.ImageConfigArgs>;
}

/** A root filesystem directory or tarball imported as a one-layer image. */
export class Image extends pulumi.CustomResource {
  /** @internal */
  static readonly __pulumiType = "cinfra:index:Image";

  /** An existing Image's state, looked up by its id. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Image {
    return new Image(name, undefined, { ...opts, id });
  }

  static override isInstance(obj: unknown): obj is Image {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === Image.__pulumiType;
  }

  /** Absolute path of a root filesystem directory (or .tar/.tar.gz). */
  declare public readonly rootfs: pulumi.Output<string>;
  declare public readonly config: pulumi.Output<types.ImageConfig | undefined>;
  /** Chain IDs, bottom layer first. */
  declare public readonly layers: pulumi.Output<string[]>;
  /** Effective image Env. */
  declare public readonly env: pulumi.Output<{ [key: string]: string } | undefined>;
  declare public readonly cmd: pulumi.Output<string[] | undefined>;
  declare public readonly entrypoint: pulumi.Output<string[] | undefined>;
  declare public readonly workdir: pulumi.Output<string | undefined>;
  declare public readonly user: pulumi.Output<string | undefined>;

  constructor(name: string, args: ImageArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: ImageArgs | undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args?: ImageArgs, opts: pulumi.CustomResourceOptions = {}) {
    if (opts.id === undefined) {
      if (args?.rootfs === undefined) throw new ValidationError(`image.${name}.rootfs`, "is required");
    }
    const inputs: pulumi.Inputs = {
      rootfs: args?.rootfs,
      config: args?.config,
      layers: undefined,
      env: undefined,
      cmd: undefined,
      entrypoint: undefined,
      workdir: undefined,
      user: undefined,
    };
    super(Image.__pulumiType, name, inputs, { version: "0.1.0", ...opts });
  }
}
