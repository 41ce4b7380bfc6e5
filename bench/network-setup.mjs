#!/usr/bin/env node
// Time to wire a bridge network for two containers over raw netlink (provider/linux/net), as root:
// bridge + gateway address, 2 named netns (lo up), 2 veths (peer born inside as eth0, host end on the
// bridge), eth0 address + up + default route in each. Prints medians of N runs, plus one-time costs.
// ARCHITECTURE.md quotes 4.6-5.3 ms for this on raw netlink versus 51-55 ms spawning `ip`.
//   node bench/network-setup.mjs [runs=20]
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const runs = Number(process.argv[2] ?? 20);
const root = join(import.meta.dirname, "..");
// inside the repo, so the bundle's lazy require("koffi") resolves from node_modules
mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
const out = mkdtempSync(join(root, "node_modules/.cache/cinfra-bench-"));
await build({
  stdin: {
    contents: `export * from "./provider/linux/net/netns.js"; export * from "./provider/linux/net/links.js";
               export * from "./provider/linux/net/netlink-socket.js"; export * from "./provider/linux/sys/syscalls.js";`,
    resolveDir: root,
    loader: "ts",
  },
  bundle: true, platform: "node", format: "esm", external: ["koffi"], outfile: join(out, "net.mjs"), logLevel: "warning",
});
const net = await import(pathToFileURL(join(out, "net.mjs")).href);

const tag = Math.random().toString(36).slice(2, 5);
const prefix = `cinfra${tag}`;
const dir = `/run/cinfra-${tag}-bench/netns`;
const subnet = `10.${200 + Math.floor(Math.random() * 51)}.${Math.floor(Math.random() * 256)}`;

let t = performance.now();
const sys = net.createSyscalls();
const loadKoffi = performance.now() - t;
t = performance.now();
const links = new net.Links(net.NetlinkSocket.open(sys));
const openSocket = performance.now() - t;

const ms = { total: [], bridge: [], netns: [], veth: [], inside: [], teardown: [], delVeths: [], delBridge: [], delNetns: [] };
const lap = (key, start) => { const now = performance.now(); ms[key].push(now - start); return now; };

function setup(run) {
  const bridge = `${prefix}b${run}`;
  let at = performance.now();
  const start = at;
  links.createBridge(bridge, { alias: `cinfra:bench/network/n${run}`, up: true });
  links.addAddress(bridge, `${subnet}.1/24`);
  at = lap("bridge", at);
  const members = [2, 3].map((host) => ({ ns: `${dir}/${run}-${host}`, hostEnd: `${prefix}v${run}-${host}`, ip: `${subnet}.${host}` }));
  for (const m of members) net.createNetns(m.ns, sys);
  at = lap("netns", at);
  for (const m of members) {
    const fd = net.openNetns(m.ns, sys);
    try {
      links.createVeth(m.hostEnd, "eth0", { peerNetnsFd: fd, master: bridge, up: true, alias: `cinfra:bench/container/${m.ip}` });
    } finally {
      sys.close(fd);
    }
  }
  at = lap("veth", at);
  for (const m of members) {
    const inside = net.openLinksInNetns(m.ns, sys);
    try {
      inside.addAddress("eth0", `${m.ip}/24`);
      inside.setUp("eth0");
      inside.addDefaultRoute(`${subnet}.1`);
    } finally {
      inside.socket.close();
    }
  }
  at = lap("inside", at);
  ms.total.push(at - start);
  return { bridge, members };
}

function teardown({ bridge, members }) {
  const start = performance.now();
  let at = start;
  for (const m of members) links.deleteLink(m.hostEnd);
  at = lap("delVeths", at);
  links.deleteLink(bridge);
  at = lap("delBridge", at);
  for (const m of members) net.removeNetns(m.ns, sys);
  lap("delNetns", at);
  lap("teardown", start);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (let run = 0; run < runs; run++) {
    const wired = setup(run);
    teardown(wired);
  }
} finally {
  for (const l of links.listLinks()) if (l.name.startsWith(prefix)) links.deleteLink(l.name);
  for (let run = 0; run < runs; run++) for (const host of [2, 3]) net.removeNetns(`${dir}/${run}-${host}`, sys);
  links.socket.close();
  rmSync(`/run/cinfra-${tag}-bench`, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}

console.log(`one-time: load koffi + libc ${loadKoffi.toFixed(1)} ms, open netlink socket ${openSocket.toFixed(2)} ms`);
console.log(`bridge + 2 netns + 2 veth + addresses/routes, median of ${runs}:`);
for (const [key, xs] of Object.entries(ms)) console.log(`  ${key.padEnd(9)} ${median(xs).toFixed(2)} ms  (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`);
