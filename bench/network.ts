/**
 * Request/response latency and throughput: host -> container IP over the bridge (baseline),
 * host -> published port through the relay, and container -> container over the bridge.
 * Medians over N requests, with ratios. Run: node bench/run.mjs network [N]
 * Only 127.0.0.1 and addresses of this benchmark's own bridge are ever contacted.
 */
import { request } from "node:http";
import { RuntimeHarness } from "../test/helpers/runtime-harness.js";

const N = Number(process.argv[2] ?? 200);
const BIG = 64 * 2 ** 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function get(host: string, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => { bytes += chunk.length; });
      res.on("end", () => resolve(bytes));
    });
    req.on("error", reject);
    req.end();
  });
}

async function measure(host: string, port: number): Promise<{ latencyMs: number; mbps: number }> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await get(host, port, "/small");
    times.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const bytes = await get(host, port, "/big");
  const secs = (performance.now() - t0) / 1000;
  return { latencyMs: median(times), mbps: bytes / 2 ** 20 / secs };
}

const h = new RuntimeHarness();
try {
  const image = await h.busyboxImage();
  const octet = 200 + Math.floor(Math.random() * 50);
  const net = await h.create("network", "bench", { subnet: `10.${octet}.77.0/24` });
  const port = 30000 + Math.floor(Math.random() * 20000);
  const server = await h.create("container", "server", {
    image: { $ref: "image.busybox" }, init: true, networks: [{ network: { $ref: "network.bench" } }],
    ports: [{ host: port, container: 8080, hostIp: "127.0.0.1" }],
    command: ["sh", "-c", `echo ok > /tmp/small; dd if=/dev/zero of=/tmp/big bs=1M count=${BIG / 2 ** 20} 2>/dev/null; exec httpd -f -p 8080 -h /tmp`],
  } as never, [image, net]);
  const ip = (server.outputs.ipAddresses as Record<string, string>).bench;
  await new Promise((r) => setTimeout(r, 500));
  const direct = await measure(ip, 8080);
  const published = await measure("127.0.0.1", port);
  const client = await h.create("container", "client", {
    image: { $ref: "image.busybox" }, init: true, networks: [{ network: { $ref: "network.bench" } }], command: ["sleep", "3600"],
  } as never, [image, net]);
  // Timed from here around `exec`, minus the cost of an empty exec (busybox has no sub-second clock).
  const timeExec = async (script: string) => {
    const t0 = performance.now();
    await h.runtime.containers.exec(client, ["sh", "-c", script], { stdio: "pipe" });
    return performance.now() - t0;
  };
  const empty = median([await timeExec("true"), await timeExec("true"), await timeExec("true")]);
  const perRequestMs = (await timeExec(`for i in $(seq ${N}); do wget -qO- http://server:8080/small >/dev/null; done`) - empty) / N;
  const bigMs = (await timeExec("wget -qO- http://server:8080/big >/dev/null")) - empty;
  // Attaching: total time to create n containers on the network, against the same with network: "none".
  const attach: string[] = [];
  let k = 0;
  for (const n of [1, 10, 50]) {
    const timed = async (props: Record<string, unknown>, deps: typeof image[]) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await h.create("container", `att${k++}`, { image: { $ref: "image.busybox" }, command: ["sleep", "600"], init: true, ...props } as never, deps);
      return performance.now() - t0;
    };
    const onNet = await timed({ networks: [{ network: { $ref: "network.bench" } }] }, [image, net]);
    const none = await timed({ network: "none" }, [image]);
    attach.push(`N=${n}: ${onNet.toFixed(0)} ms on the bridge vs ${none.toFixed(0)} ms without (attach cost ${((onNet - none) / n).toFixed(2)} ms per container)`);
  }
  console.log("attach containers to a network (create+start, sequential):");
  for (const line of attach) console.log(`  ${line}`);
  console.log(`N=${N} requests each, ${BIG / 2 ** 20} MiB for throughput`);
  console.log(`host -> container IP (bridge, baseline)   latency ${direct.latencyMs.toFixed(3)} ms   throughput ${direct.mbps.toFixed(0)} MiB/s`);
  console.log(`host -> 127.0.0.1 published port (relay)  latency ${published.latencyMs.toFixed(3)} ms   throughput ${published.mbps.toFixed(0)} MiB/s` +
    `   (relay/direct: latency ${(published.latencyMs / direct.latencyMs).toFixed(2)}x, throughput ${(published.mbps / direct.mbps).toFixed(2)}x)`);
  console.log(`container -> container (busybox wget per request, incl. its process start)  ${perRequestMs.toFixed(3)} ms   throughput ${(BIG / 2 ** 20 / (bigMs / 1000)).toFixed(0)} MiB/s`);
} finally {
  const left = await h.teardown();
  if (left.length) console.error("left behind:", left);
}
