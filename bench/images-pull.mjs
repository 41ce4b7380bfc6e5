#!/usr/bin/env node
// Registry pull throughput, as root: Debian's docker-registry on 127.0.0.1:18410 holding one image
// (busybox + ~48 MiB of files in 4 layers, gzip), then median of N runs each into empty stores:
//   ours   pullImage (parallel download + digest checks + unpack of every layer + syncfs)
//   skopeo skopeo copy docker://… oci:… (download + digest checks, no unpack), and then umoci unpack
//   node bench/images-pull.mjs [runs=5]
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { build } from "esbuild";

const runs = Number(process.argv[2] ?? 5);
const root = join(import.meta.dirname, "..");
const bundle = join(root, "node_modules/.cache", `cinfra-bench-pull-${process.pid}.mjs`);
mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
await build({
  stdin: {
    contents: `export * from "./provider/linux/images/index.js"; export * from "./provider/linux/images/registry/index.js";
               export { RegistryServer } from "./test/fixtures/registry/registry-server.js"; export { makeBusyboxRootfs } from "./test/helpers/busybox-rootfs.js";`,
    resolveDir: root, loader: "ts",
  },
  bundle: true, platform: "node", format: "esm", packages: "external", outfile: bundle, logLevel: "warning",
});
const img = await import(pathToFileURL(bundle).href);
const work = `/tmp/cinfra${Math.random().toString(36).slice(2, 5)}-bench-pull`;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timeRuns(fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

mkdirSync(work, { recursive: true });
mkdirSync(join(work, "registry"));
const registry = new img.RegistryServer(join(work, "registry"), 18410);
try {
  await registry.start();
  run("umoci", ["init", "--layout", "layout"]);
  run("umoci", ["new", "--image", "layout:b"]);
  run("umoci", ["unpack", "--image", "layout:b", "bundle"]);
  img.makeBusyboxRootfs(join(work, "bundle/rootfs"));
  run("umoci", ["repack", "--image", "layout:b", "bundle"]);
  for (let layer = 0; layer < 3; layer++) {
    const dir = join(work, "bundle/rootfs", `data${layer}`);
    mkdirSync(dir);
    // Half random, half repeated text: compresses about 2x, like a typical rootfs.
    for (let i = 0; i < 400; i++) writeFileSync(join(dir, `f${i}`), Buffer.concat([randomBytes(20_000), Buffer.alloc(20_000, `line ${i}\n`)]));
    run("umoci", ["repack", "--image", "layout:b", "bundle"]);
  }
  const ref = `${registry.host}/bench/app:1`;
  run("skopeo", ["copy", "--dest-tls-verify=false", "oci:layout:b", `docker://${ref}`]);
  const ours = await timeRuns(async (i) => {
    const lib = join(work, `lib${i}`);
    await img.pullImage(img.openImageStore(lib), ref);
    rmSync(lib, { recursive: true, force: true });
  });
  const skopeo = await timeRuns(async (i) => {
    run("skopeo", ["copy", "--src-tls-verify=false", `docker://${ref}`, `oci:${join(work, `sk${i}`)}:x`]);
    rmSync(join(work, `sk${i}`), { recursive: true, force: true });
  });
  const skopeoUmoci = await timeRuns(async (i) => {
    run("skopeo", ["copy", "--src-tls-verify=false", `docker://${ref}`, `oci:${join(work, `su${i}`)}:x`]);
    run("umoci", ["unpack", "--image", `${join(work, `su${i}`)}:x`, join(work, `ub${i}`)]);
    rmSync(join(work, `su${i}`), { recursive: true, force: true });
    rmSync(join(work, `ub${i}`), { recursive: true, force: true });
  });
  const store = img.openImageStore(join(work, "present"));
  await img.pullImage(store, ref);
  const present = await timeRuns(() => img.pullImage(store, ref));
  console.log(`pull of ${ref} (4 gzip layers, ~48 MiB unpacked); ${runs} runs each, medians`);
  console.log(`ours (download+verify+unpack)  ${ours.toFixed(0)} ms`);
  console.log(`skopeo copy (download+verify)  ${skopeo.toFixed(0)} ms   ours/skopeo ${(ours / skopeo).toFixed(2)}`);
  console.log(`skopeo copy + umoci unpack      ${skopeoUmoci.toFixed(0)} ms   ours/(skopeo+umoci) ${(ours / skopeoUmoci).toFixed(2)}`);
  console.log(`ours, image already present    ${present.toFixed(1)} ms (one manifest request)`);
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(bundle, { force: true });
}
