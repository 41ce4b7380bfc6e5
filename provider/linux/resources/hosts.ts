/**
 * Name resolution by a managed /etc/hosts per container: every network keeps a `members/`
 * directory (one record per attached container); a container's hosts file lists the members
 * of each network it is on, and is rewritten in place (same inode, since it is bind-mounted)
 * whenever a peer joins or leaves.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "./owner.js";

export interface Member {
  containerId: string;
  name: string;
  ip: string;
  aliases: string[];
  /** The container's hosts file, and the network dirs it is on (to rebuild that file). */
  hostsFile: string;
  networkDirs: string[];
}

const HEADER = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

function membersDir(networkDir: string): string {
  return join(networkDir, "members");
}

function readMembers(networkDir: string): Member[] {
  let names: string[];
  try {
    names = readdirSync(membersDir(networkDir)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const out: Member[] = [];
  for (const name of names.sort()) {
    try {
      out.push(JSON.parse(readFileSync(join(membersDir(networkDir), name), "utf8")) as Member);
    } catch {
      // A record being replaced right now: the next refresh picks it up.
    }
  }
  return out;
}

export function renderHosts(self: { containerId: string; hostname: string }, networkDirs: string[]): string {
  const lines = [HEADER.trimEnd()];
  const seen = new Set<string>();
  for (const dir of networkDirs) {
    for (const m of readMembers(dir)) {
      const names = m.containerId === self.containerId ? [self.hostname, m.name, ...m.aliases] : [m.name, ...m.aliases];
      const line = `${m.ip}\t${[...new Set(names)].join(" ")}`;
      if (!seen.has(line)) lines.push(line);
      seen.add(line);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Rewrite the hosts file of every container on these networks. */
export function refreshHosts(networkDirs: string[]): void {
  const done = new Set<string>();
  for (const dir of networkDirs) {
    for (const m of readMembers(dir)) {
      if (done.has(m.containerId)) continue;
      done.add(m.containerId);
      try {
        writeFileSync(m.hostsFile, renderHosts({ containerId: m.containerId, hostname: m.name }, m.networkDirs));
      } catch {
        // The peer is being deleted concurrently; it no longer needs names.
      }
    }
  }
}

export function joinNetwork(networkDir: string, member: Member): void {
  mkdirSync(membersDir(networkDir), { recursive: true });
  writeJsonAtomic(join(membersDir(networkDir), `${member.containerId}.json`), member);
}

export function leaveNetwork(networkDir: string, containerId: string): void {
  rmSync(join(membersDir(networkDir), `${containerId}.json`), { force: true });
}

/** The hosts file a container starts with (its own entries; peers are added by refreshHosts). */
export function writeInitialHosts(path: string, self: { containerId: string; hostname: string }, networkDirs: string[]): void {
  writeFileSync(path, networkDirs.length ? renderHosts(self, networkDirs) : `${HEADER}127.0.1.1\t${self.hostname}\n`);
}
