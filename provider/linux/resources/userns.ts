/**
 * Host id ranges for `userns`. "auto" claims a 65 536-id range from cinfra's pool with one O_EXCL file per
 * range under <libRoot>/userns, so concurrent applies never hand out the same range, and a crashed create
 * finds its own claim again. The claim goes with the container.
 */
import { chownSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { mapToHost } from "../../../core/kinds/userns-props.js";
import type { RuntimeConfig } from "../config.js";
import type { ContainerInputs, IdRange } from "./container-inputs.js";

/** Above the ranges /etc/subuid hands to login users (100000 + 65536 n) on ordinary hosts. */
export const AUTO_BASE = 1_000_000;
export const AUTO_SIZE = 65_536;
const AUTO_SLOTS = 16_384;

export interface UsernsMaps {
  uidMap: IdRange[];
  gidMap: IdRange[];
}

const claimDir = (config: RuntimeConfig) => join(config.libRoot, "userns");

function slotMaps(slot: number): UsernsMaps {
  const range = [{ containerId: 0, hostId: AUTO_BASE + slot * AUTO_SIZE, size: AUTO_SIZE }];
  return { uidMap: range, gidMap: range };
}

function claims(config: RuntimeConfig): { slot: number; holder: string }[] {
  let names: string[];
  try {
    names = readdirSync(claimDir(config));
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map((n) => ({ slot: Number(n), holder: readFileSync(join(claimDir(config), n), "utf8") }));
}

export function resolveUserns(config: RuntimeConfig, containerId: string, userns: ContainerInputs["userns"]): UsernsMaps | undefined {
  if (userns === undefined) return undefined;
  if (userns !== "auto") return userns;
  const own = claims(config).find((c) => c.holder === containerId);
  if (own) return slotMaps(own.slot);
  mkdirSync(claimDir(config), { recursive: true });
  for (let slot = 0; slot < AUTO_SLOTS; slot++) {
    try {
      writeFileSync(join(claimDir(config), String(slot)), containerId, { flag: "wx" });
      return slotMaps(slot);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new RuntimeError("USERNS_EXHAUSTED", `all ${AUTO_SLOTS} automatic user-namespace ranges are taken`);
}

export function releaseUserns(config: RuntimeConfig, containerId: string): void {
  for (const claim of claims(config)) {
    if (claim.holder === containerId) unlinkSync(join(claimDir(config), String(claim.slot)));
  }
}

/**
 * Files the container's root must own, given to its host ids: the overlay's upper dir (the root dir's
 * owner inside) and the /etc files cinfra bind-mounts. Image layers are id-mapped at mount time instead.
 */
export function giveToContainerRoot(maps: UsernsMaps, paths: string[]): void {
  const uid = mapToHost(maps.uidMap, 0);
  const gid = mapToHost(maps.gidMap, 0);
  if (uid === undefined || gid === undefined) return; // no root inside: the files stay the host's
  for (const path of paths) chownSync(path, uid, gid);
}
