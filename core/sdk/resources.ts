import { isAbsolute, resolve } from "node:path";
import { SCHEMAS } from "../kinds/index.js";
import { RESOURCE_BRAND, boolean, fail, record, string, stringArray } from "../model/check.js";
import { urnOf, type Kind, type Urn } from "../model/types.js";
import { activeCollection, lazyCallerLocation, register, withLocation } from "./registry.js";
import type { ContainerArgs, ImageArgs, NetworkArgs, ResourceOptions, VolumeArgs } from "./types.js";
import { RESOURCE_NAME } from "../model/check.js";

/** Base of every resource a stack program declares. Construction validates and registers it. */
export abstract class Resource {
  readonly [RESOURCE_BRAND] = true as const;
  readonly urn: Urn;

  protected constructor(readonly kind: Kind, readonly name: string, args: unknown, opts: ResourceOptions = {}) {
    const location = lazyCallerLocation(); // resolved only if read (errors): see resolveLocation
    const path = `${kind}.${typeof name === "string" ? name : "?"}`;
    try {
      string(name, `${kind} name`, RESOURCE_NAME);
      this.urn = urnOf(kind, name);
      const props = SCHEMAS[kind].normalize(args, path);
      const options = normalizeOptions(opts, path, kind);
      const dependsOn = new Set<Urn>(options.dependsOn);
      collectRefs(props, dependsOn);
      register({
        urn: this.urn, kind, name, props, dependsOn: [...dependsOn].sort(), location,
        options: {
          protect: options.protect, retainOnDelete: options.retainOnDelete, ignoreChanges: options.ignoreChanges, replaceOnChanges: options.replaceOnChanges,
          deleteBeforeReplace: options.deleteBeforeReplace, aliases: options.aliases,
        },
      });
    } catch (error) {
      throw withLocation(error, location);
    }
  }
}

function normalizeOptions(opts: unknown, path: string, kind: Kind) {
  const o = record(opts ?? {}, `${path} (options)`, [
    "dependsOn", "protect", "retainOnDelete", "ignoreChanges", "replaceOnChanges", "deleteBeforeReplace", "aliases",
  ]);
  const dependsOn = (o.dependsOn === undefined ? [] : (o.dependsOn as unknown[])).map((dep, i) => {
    if (!(dep instanceof Resource)) fail(`${path}.dependsOn[${i}]`, "expected a resource");
    return dep.urn;
  });
  return {
    dependsOn,
    protect: o.protect === undefined ? false : boolean(o.protect, `${path}.protect`),
    retainOnDelete: o.retainOnDelete === undefined ? false : boolean(o.retainOnDelete, `${path}.retainOnDelete`),
    ignoreChanges: o.ignoreChanges === undefined ? [] : stringArray(o.ignoreChanges, `${path}.ignoreChanges`),
    replaceOnChanges: o.replaceOnChanges === undefined ? undefined : stringArray(o.replaceOnChanges, `${path}.replaceOnChanges`),
    deleteBeforeReplace: o.deleteBeforeReplace === undefined ? undefined : boolean(o.deleteBeforeReplace, `${path}.deleteBeforeReplace`),
    aliases: o.aliases === undefined ? undefined
      : stringArray(o.aliases, `${path}.aliases`).map((a, i) => urnOf(kind, string(a, `${path}.aliases[${i}]`, RESOURCE_NAME))),
  };
}

function collectRefs(value: unknown, into: Set<Urn>): void {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, into));
  else if (value && typeof value === "object") {
    const ref = (value as { $ref?: Urn }).$ref;
    if (typeof ref === "string") into.add(ref);
    else Object.values(value).forEach((v) => collectRefs(v, into));
  }
}

export class Image extends Resource {
  constructor(name: string, args: ImageArgs, opts?: ResourceOptions) {
    const base = activeCollection().baseDir;
    const local = (path: string | undefined) => (typeof path === "string" && !isAbsolute(path) ? resolve(base, path) : path);
    const paths = args && typeof args === "object"
      ? Object.fromEntries((["rootfs", "ociLayout", "archive"] as const).filter((key) => args[key] !== undefined).map((key) => [key, local(args[key])]))
      : {};
    const build = args && typeof args === "object" && args.build && typeof args.build === "object" ? args.build : undefined;
    if (build && typeof build.context === "string") {
      const context = local(build.context) as string;
      const file = typeof build.file === "string" && !isAbsolute(build.file) ? resolve(context, build.file) : build.file;
      paths.build = { ...build, context, ...(file !== undefined ? { file } : {}) } as never;
    }
    super("image", name, args && typeof args === "object" ? { ...args, ...paths } : args, opts);
  }
}

export class Volume extends Resource {
  constructor(name: string, args: VolumeArgs = {}, opts?: ResourceOptions) {
    super("volume", name, args, opts);
  }
}

export class Network extends Resource {
  constructor(name: string, args: NetworkArgs = {}, opts?: ResourceOptions) {
    super("network", name, args, opts);
  }
}

export class Container extends Resource {
  constructor(name: string, args: ContainerArgs, opts?: ResourceOptions) {
    super("container", name, args, opts);
  }
}
