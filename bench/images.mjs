#!/usr/bin/env node
// Image store throughput, as root. One synthetic rootfs (busybox + ~64 MiB of mixed files) is
// packed as a one-layer OCI image with plain, gzip and zstd layers; then, median of N runs each:
//   ours  loadOciLayout into an empty store (blob copy + digest checks + unpack + diffID + syncfs)
//   tar   GNU tar extracting the same layer blob (-z / --zstd), no verification, no sync
//   umoci umoci unpack of the same layout (when installed)
// plus importRootfs of the tree (cold store, and again with the layer already there).
//   node bench/images.mjs [runs=5]
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const runs = Number(process.argv[2] ?? 5);
const root = join(import.meta.dirname, "..");
mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
const bundle = join(root, "node_modules/.cache", `cinfra-bench-images-${process.pid}.mjs`);
await build({
  stdin: {
    contents: `export * from "./provider/linux/images/index.js"; export { packDirectory } from "./provider/linux/images/pack-dir.js";
               export * from "./test/fixtures/images/archives.js"; export { makeBusyboxRootfs } from "./test/helpers/busybox-rootfs.js";`,
    resolveDir: root, loader: "ts",
  },
  bundle: true, platform: "node", format: "esm", packages: "external", outfile: bundle, logLevel: "warning",
});
const img = await import(pathToFileURL(bundle).href);

const work = `/tmp/cinfra${Math.random().toString(36).slice(2, 5)}-bench-images`;
const has = (tool) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
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

/** Deterministic pseudo-random text and binary files: compresses about as well as a typical rootfs (2-3x). */
function makeTree(dir) {
  img.makeBusyboxRootfs(dir);
  let seed = 42; // mulberry32: 32-bit integer math, so the sequence does not collapse into a short cycle
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const words = Array.from({ length: 65536 }, () => Math.floor(rand() * 2 ** 40).toString(36));
  for (let d = 0; d < 40; d++) {
    mkdirSync(join(dir, "data", `d${d}`), { recursive: true });
    for (let f = 0; f < 25; f++) {
      const size = Math.floor(4096 + rand() * 128 * 1024);
      if (f % 4 === 0) {
        // a binary-like file: does not compress
        const bytes = Buffer.alloc(size);
        for (let n = 0; n < size; n++) bytes[n] = Math.floor(rand() * 256);
        writeFileSync(join(dir, "data", `d${d}`, `f${f}.bin`), bytes);
        continue;
      }
      const parts = [];
      for (let n = 0; n < size; n += 8) parts.push(words[Math.floor(rand() * words.length)]);
      writeFileSync(join(dir, "data", `d${d}`, `f${f}.txt`), parts.join(" ").slice(0, size));
    }
  }
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

try {
  mkdirSync(work, { recursive: true });
  const tree = join(work, "tree");
  makeTree(tree);
  const tar = await collect(img.packDirectory(tree));
  const mib = tar.length / 2 ** 20;
  console.log(`layer: ${mib.toFixed(1)} MiB uncompressed, ${readdirSync(join(tree, "data")).length * 25 + readdirSync(join(tree, "bin")).length} entries; ${runs} runs each, medians`);
  console.log("compression  blob MiB   ours ms (MiB/s)   tar ms   ours/tar   umoci ms   ours/umoci");
  for (const compression of img.HAS_ZSTD ? ["none", "gzip", "zstd"] : ["none", "gzip"]) {
    const layout = join(work, `layout-${compression}`);
    img.writeOciLayout(layout, [{ layers: [{ tar, compression }], refName: "t" }]);
    const blob = readdirSync(join(layout, "blobs/sha256")).map((n) => join(layout, "blobs/sha256", n)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
    const ours = await timeRuns(async (i) => {
      const lib = join(work, `lib-${compression}-${i}`);
      await img.openImageStore(lib).loadOciLayout(layout);
      rmSync(lib, { recursive: true, force: true });
    });
    const flag = { none: [], gzip: ["-z"], zstd: ["--zstd"] }[compression];
    const tarMs = await timeRuns(async (i) => {
      const out = join(work, `tar-${compression}-${i}`);
      mkdirSync(out);
      execFileSync("tar", ["-x", ...flag, "-f", blob, "-C", out]);
      rmSync(out, { recursive: true, force: true });
    });
    let umoci = "-";
    let ratio = "-";
    if (has("umoci")) {
      try {
        const ms = await timeRuns(async (i) => {
          const out = join(work, `umoci-${compression}-${i}`);
          try {
            execFileSync("umoci", ["unpack", "--image", `${layout}:t`, out], { stdio: "ignore" });
          } finally {
            rmSync(out, { recursive: true, force: true });
          }
        });
        umoci = ms.toFixed(0);
        ratio = (ours / ms).toFixed(2);
      } catch {
        umoci = "n/a"; // Debian's umoci 0.4 has no zstd
      }
    }
    const blobMib = (statSync(blob).size / 2 ** 20).toFixed(1);
    console.log(`${compression.padEnd(11)}  ${blobMib.padStart(8)}   ${ours.toFixed(0).padStart(7)} (${(mib / (ours / 1000)).toFixed(0).padStart(4)})   ${tarMs.toFixed(0).padStart(6)}   ${(ours / tarMs).toFixed(2).padStart(8)}   ${umoci.padStart(8)}   ${ratio.padStart(10)}`);
  }
  const store = img.openImageStore(join(work, "lib-import"));
  const cold = await timeRuns(async (i) => {
    const s = img.openImageStore(join(work, `lib-import-${i}`));
    await s.importRootfs(tree);
    rmSync(join(work, `lib-import-${i}`), { recursive: true, force: true });
  });
  await store.importRootfs(tree);
  const warm = await timeRuns(() => store.importRootfs(tree));
  console.log(`importRootfs of the tree: cold store ${cold.toFixed(0)} ms, layer already stored ${warm.toFixed(0)} ms (pack + hash only)`);
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundle, { force: true });
}
