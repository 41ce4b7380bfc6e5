// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import * as pulumi from "@pulumi/pulumi";
import type * as types from "./types.js";

/** The arguments of a Image. */
export interface ImageArgs {
  /** Absolute path of a root filesystem directory (or .tar/.tar.gz). */
  rootfs?: pulumi.Input<string>;
  /** Container defaults of a rootfs import. */
  config?: pulumi.Input<types.ImageConfigArgs>;
  /** A registry reference, host[:port]/repo[:tag][@sha256:...]. */
  ref?: pulumi.Input<string>;
  /** "missing" (default) or "always" (every plan resolves the tag into digest). */
  pullPolicy?: pulumi.Input<string>;
  /** The manifest digest a tag ref resolves to (pins it). */
  digest?: pulumi.Input<string>;
  /** Absolute path of an OCI image layout directory or tar. */
  ociLayout?: pulumi.Input<string>;
  /** Absolute path of a docker save archive. */
  archive?: pulumi.Input<string>;
  /** Build from a Dockerfile. */
  build?: pulumi.Input<types.ImageBuildArgs>;
}

/** An image: exactly one of rootfs (imported as one layer), ref (registry pull), ociLayout or archive (docker save). */
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
  declare public readonly rootfs: pulumi.Output<string | undefined>;
  /** Container defaults of a rootfs import. */
  declare public readonly config: pulumi.Output<types.ImageConfig | undefined>;
  /** A registry reference, host[:port]/repo[:tag][@sha256:...]. */
  declare public readonly ref: pulumi.Output<string | undefined>;
  /** "missing" (default) or "always" (every plan resolves the tag into digest). */
  declare public readonly pullPolicy: pulumi.Output<string | undefined>;
  /** Manifest digest of a ref, else the image id. */
  declare public readonly digest: pulumi.Output<string | undefined>;
  /** Absolute path of an OCI image layout directory or tar. */
  declare public readonly ociLayout: pulumi.Output<string | undefined>;
  /** Absolute path of a docker save archive. */
  declare public readonly archive: pulumi.Output<string | undefined>;
  /** Build from a Dockerfile. */
  declare public readonly build: pulumi.Output<types.ImageBuild | undefined>;
  /** Chain IDs, bottom layer first. */
  declare public readonly layers: pulumi.Output<string[]>;
  /** Effective image Env. */
  declare public readonly env: pulumi.Output<{ [key: string]: string } | undefined>;
  declare public readonly cmd: pulumi.Output<string[] | undefined>;
  declare public readonly entrypoint: pulumi.Output<string[] | undefined>;
  declare public readonly workdir: pulumi.Output<string | undefined>;
  declare public readonly user: pulumi.Output<string | undefined>;

  constructor(name: string, args?: ImageArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: ImageArgs | undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args?: ImageArgs, opts: pulumi.CustomResourceOptions = {}) {
    const inputs: pulumi.Inputs = {
      rootfs: args?.rootfs,
      config: args?.config,
      ref: args?.ref,
      pullPolicy: args?.pullPolicy,
      digest: args?.digest,
      ociLayout: args?.ociLayout,
      archive: args?.archive,
      build: args?.build,
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
