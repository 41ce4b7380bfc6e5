#!/usr/bin/env node
// Layer unpack throughput, as root, on ext4 (/tmp) and on a tmpfs mounted for the run at /tmp/cinfra-bench-<pid>.
// One synthetic rootfs (busybox + FILES files, ~MIB MiB: many small text and binary files, a few large ones) is
// packed as a one-layer OCI image with plain, gzip and zstd layers; then, median of N rounds (each round runs every
// contender once, interleaved, so the machine's slow spells hit all alike), same blob:
//   unpack  our unpackLayer (decompress + tar parse + safe-path writes + diffID sha256 unless uncompressed), no sync
//   tar     GNU tar extracting the same blob (-z / --zstd), no verification, no sync
//   umoci   umoci unpack of the same layout (when installed; Debian's 0.4 has no zstd)
//   load    our whole loadOciLayout into an empty store (blob copy + digest checks + unpack + syncfs)
//   node bench/images.mjs [runs=3] [files=20000] [MiB=200] [ext4,tmpfs]
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const runs = Number(process.argv[2] ?? 3);
const FILES = Number(process.argv[3] ?? 20000);
const MIB = Number(process.argv[4] ?? 200);
const FILESYSTEMS = (process.argv[5] ?? "ext4,tmpfs").split(",");
const root = join(import.meta.dirname, "..");
mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
const bundle = join(root, "node_modules/.cache", `cinfra-bench-images-${process.pid}.mjs`);
await build({
  stdin: {
    contents: `export * from "./provider/linux/images/index.js"; export { packDirectory } from "./provider/linux/images/pack-dir.js";
               export { unpackLayer } from "./provider/linux/images/layer-unpack.js";
               export * from "./test/fixtures/images/archives.js"; export { makeBusyboxRootfs } from "./test/helpers/busybox-rootfs.js";`,
    resolveDir: root, loader: "ts",
  },
  bundle: true, platform: "node", format: "esm", packages: "external", outfile: bundle, logLevel: "warning",
});
const img = await import(pathToFileURL(bundle).href);

const work = `/tmp/cinfra${Math.random().toString(36).slice(2, 5)}-bench-images`;
const tmpfs = `/tmp/cinfra-bench-${process.pid}`;
let tmpfsMounted = false;
const has = (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * Median ms of each contender over `runs` rounds. Rounds interleave the contenders (ours, tar, umoci,
 * ...), so a slow spell of the machine (another tenant, writeback left by an earlier phase) lands on
 * all of them alike instead of on whichever ran during it.
 */
async function timeInterleaved(contenders) {
  const times = contenders.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, { run, cleanup }] of contenders.entries()) {
      const t0 = performance.now();
      try {
        await run(i);
        times[k].push(performance.now() - t0);
      } finally {
        cleanup(i);
      }
    }
  }
  return times.map(median);
}

/** Pseudo-random text files (compress 2-3x, like a rootfs) and random binaries (do not), log-uniform sizes. */
function makeTree(dir) {
  img.makeBusyboxRootfs(dir);
  let seed = 42; // mulberry32
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const words = Array.from({ length: 65536 }, () => Math.floor(rand() * 2 ** 40).toString(36));
  const big = Math.max(1, Math.round(FILES / 2000)); // a few large files take a tenth of the bytes
  const bigSize = Math.floor((MIB * 2 ** 20 * 0.1) / big);
  const smallMean = (MIB * 2 ** 20 * 0.9) / FILES;
  const lo = 256;
  let hi = smallMean * 4; // log-uniform on [lo, hi] has mean (hi - lo) / ln(hi / lo): solve for the target mean
  for (let k = 0; k < 50; k++) hi = smallMean * Math.log(hi / lo) + lo;
  const text = (size) => {
    const parts = [];
    for (let n = 0; n < size; n += 8) parts.push(words[Math.floor(rand() * words.length)]);
    return parts.join(" ").slice(0, size);
  };
  const perDir = 100;
  for (let f = 0; f < FILES; f++) {
    const d = join(dir, "data", `d${Math.floor(f / perDir)}`);
    if (f % perDir === 0) mkdirSync(d, { recursive: true });
    const size = f < big ? bigSize : Math.floor(lo * (hi / lo) ** rand());
    if (f % 4 === 0) writeFileSync(join(d, `f${f}.bin`), randomBytes(size));
    else writeFileSync(join(d, `f${f}.txt`), text(size));
  }
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function measure(fsName, base, layouts, mib) {
  console.log(`\n${fsName}: ${runs} runs each, medians (ms, and MiB/s of uncompressed tar)`);
  console.log("compression  blob MiB   unpack (MiB/s)   tar ms   unpack/tar   umoci ms   umoci/unpack   load ms   load/tar");
  for (const { compression, layout, blob } of layouts) {
    const out = (name, i) => join(base, `${name}-${compression}-${i}`);
    // rm(1), not rmSync: 20 000 paths of garbage in this process would be collected during the next run
    const clean = (name) => (i) => execFileSync("rm", ["-rf", "--", out(name, i)]);
    const flag = { none: [], gzip: ["-z"], zstd: ["--zstd"] }[compression];
    const withUmoci = has("umoci") && compression !== "zstd";
    const contenders = [
      {
        run: async (i) => {
          mkdirSync(out("unpack", i), { recursive: true });
          await img.unpackLayer(createReadStream(blob, { highWaterMark: 1 << 20 }), compression, { // 1 MiB reads, as the store
            root: out("unpack", i), lowerDirs: [], sys: img.libcLayerSyscalls(), preserveOwners: true, limits: img.DEFAULT_LIMITS,
            // as the store does: an uncompressed blob's verified digest is its diffID
            verifiedDiffId: compression === "none" ? `sha256:${basename(blob)}` : undefined,
            sourcePath: blob,
          });
        },
        cleanup: clean("unpack"),
      },
      {
        run: (i) => {
          mkdirSync(out("tar", i));
          execFileSync("tar", ["-x", ...flag, "-f", blob, "-C", out("tar", i)]);
        },
        cleanup: clean("tar"),
      },
      { run: (i) => img.openImageStore(out("lib", i)).loadOciLayout(layout), cleanup: clean("lib") },
      ...(withUmoci ? [{ run: (i) => execFileSync("umoci", ["unpack", "--image", `${layout}:t`, out("umoci", i)], { stdio: "ignore" }), cleanup: clean("umoci") }] : []),
    ];
    const [unpack, tarMs, load, umociMs] = await timeInterleaved(contenders);
    const umoci = withUmoci ? umociMs.toFixed(0) : "-";
    const umociRatio = withUmoci ? (umociMs / unpack).toFixed(2) : "-";
    const blobMib = (statSync(blob).size / 2 ** 20).toFixed(1);
    console.log(`${compression.padEnd(11)}  ${blobMib.padStart(8)}   ${unpack.toFixed(0).padStart(6)} (${(mib / (unpack / 1000)).toFixed(0).padStart(4)})   ${tarMs.toFixed(0).padStart(6)}   ${(unpack / tarMs).toFixed(2).padStart(10)}   ${umoci.padStart(8)}   ${umociRatio.padStart(12)}   ${load.toFixed(0).padStart(7)}   ${(load / tarMs).toFixed(2).padStart(8)}`);
  }
}

try {
  mkdirSync(work, { recursive: true });
  const tree = join(work, "tree");
  makeTree(tree);
  const tar = await collect(img.packDirectory(tree));
  const mib = tar.length / 2 ** 20;
  const entries = Number(execFileSync("sh", ["-c", `find ${tree} | wc -l`], { encoding: "utf8" }).trim());
  console.log(`layer: ${mib.toFixed(1)} MiB uncompressed, ${entries} entries`);
  const layouts = [];
  for (const compression of img.HAS_ZSTD ? ["none", "gzip", "zstd"] : ["none", "gzip"]) {
    const layout = join(work, `layout-${compression}`);
    img.writeOciLayout(layout, [{ layers: [{ tar, compression }], refName: "t" }]);
    const blob = readdirSync(join(layout, "blobs/sha256")).map((n) => join(layout, "blobs/sha256", n)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
    layouts.push({ compression, layout, blob });
  }
  rmSync(tree, { recursive: true, force: true });
  execFileSync("sync");
  if (FILESYSTEMS.includes("ext4")) await measure(`ext4 (${work})`, work, layouts, mib);
  if (FILESYSTEMS.includes("tmpfs")) {
    execFileSync("sync"); // the ext4 phase's writeback would otherwise run during this one
    mkdirSync(tmpfs, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${Math.ceil(mib * 3) + 64}m,mode=0700`, "cinfra-bench", tmpfs]);
    tmpfsMounted = true;
    await measure(`tmpfs (${tmpfs})`, tmpfs, layouts, mib);
  }
} finally {
  if (tmpfsMounted) execFileSync("umount", [tmpfs]);
  rmSync(tmpfs, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  rmSync(bundle, { force: true });
}
