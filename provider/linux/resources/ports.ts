/**
 * Published ports: one detached relay per container (the native helper's `proxy` mode, docker-proxy's
 * model), listening on hostIp:hostPort and forwarding to the container's address. A userland relay
 * reaches 127.0.0.1 without route_localnet or NAT rules, and touches no firewall table.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { RuntimeError, errnoName } from "../../../core/errors.js";
import { shimPath } from "../native/locate.js";
import { processStartTime } from "../supervise/process-info.js";

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  protocol: "tcp" | "udp";
}

export async function startPortProxy(stateDir: string, mappings: PortMapping[]): Promise<number> {
  const rules = mappings.map((m) => `${m.protocol}:${m.hostIp}:${m.hostPort}:${m.containerIp}:${m.containerPort}`);
  const child = spawn(shimPath(), ["proxy", stateDir, ...rules], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  let line = "";
  const pipe = child.stdio[3] as Readable;
  pipe.setEncoding("utf8");
  for await (const chunk of pipe) line += chunk;
  line = line.trim();
  if (line.startsWith("ok ")) return Number(line.slice(3));
  const [, step, errno, where] = line.split(" ");
  throw new RuntimeError("PORT_PUBLISH", `cannot publish ${where ?? rules.join(", ")}: ${step ?? "no report"} ${errnoName(Number(errno))}`);
}

/** Stop the container's relay, if it runs (its pid is only trusted while its start time matches). */
export function stopPortProxy(stateDir: string): void {
  let text: string;
  try {
    text = readFileSync(join(stateDir, "proxy"), "utf8");
  } catch {
    return;
  }
  const [pid, ticks] = text.trim().split(" ").map(Number);
  if (processStartTime(pid) === ticks) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function listening(file: string, tcp: boolean): { ip: string; port: number }[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").slice(1).filter(Boolean).flatMap((line) => {
    const f = line.trim().split(/\s+/);
    if (tcp && f[3] !== "0A") return []; // LISTEN
    const [hexIp, hexPort] = f[1].split(":");
    const ip = [0, 2, 4, 6].map((i) => parseInt(hexIp.slice(i, i + 2), 16)).reverse().join(".");
    return [{ ip, port: parseInt(hexPort, 16) }];
  });
}

/** Which wanted host ports something already listens on (IPv4, /proc/net/tcp and udp). */
export function hostPortsInUse(wanted: { hostIp: string; hostPort: number; protocol: "tcp" | "udp" }[]): typeof wanted {
  const tcp = listening("/proc/net/tcp", true);
  const udp = listening("/proc/net/udp", false);
  return wanted.filter((w) => (w.protocol === "tcp" ? tcp : udp).some((l) =>
    l.port === w.hostPort && (l.ip === w.hostIp || l.ip === "0.0.0.0" || w.hostIp === "0.0.0.0")));
}
