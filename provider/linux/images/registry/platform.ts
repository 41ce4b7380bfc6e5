/** Platform selection in manifest lists / OCI indexes: os, architecture and (when asked) variant. */
import { RuntimeError } from "../../../../core/errors.js";
import { ociArchitecture } from "../image-config.js";
import { checkDescriptor } from "../image-load.js";
import type { Descriptor } from "../types.js";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function defaultPlatform(): Platform {
  return { os: "linux", architecture: ociArchitecture() };
}

/** "linux/arm64/v8" -> Platform. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split("/");
  if (!os || !architecture) throw new RuntimeError("IMAGE_PLATFORM_INVALID", `platform ${JSON.stringify(text)} is not os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

export function selectPlatform(index: unknown, platform: Platform, where: string): Descriptor {
  const list = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(list)) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${where}: index has no manifests list`);
  const candidates = list.map((entry, i) => checkDescriptor(entry, `${where} manifests[${i}]`))
    .filter((d) => d.platform?.os === platform.os && d.platform?.architecture === platform.architecture)
    .filter((d) => !platform.variant || d.platform?.variant === platform.variant);
  if (candidates.length === 0) {
    const offered = list.map((d: Descriptor) => (d.platform ? formatPlatform(d.platform as Platform) : "?")).join(", ");
    throw new RuntimeError("IMAGE_NO_MATCHING_PLATFORM", `${where} has no image for ${formatPlatform(platform)} (it has ${offered})`);
  }
  return candidates[0];
}
