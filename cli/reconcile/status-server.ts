/** /healthz, /status (JSON) and /metrics (Prometheus text) on a loopback address only. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ValidationError } from "../../core/errors.js";
import type { ReconcileStatus } from "./reconcile-status.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || port > 65535) throw new ValidationError("--listen", `"${text}" is not host:port`);
  // Status and metrics carry commits and findings: never serve them beyond this host.
  if (!LOOPBACK.has(host) && !/^127\./.test(host)) throw new ValidationError("--listen", `${host} is not a loopback address`);
  return { host: host === "localhost" ? "127.0.0.1" : host, port };
}

export interface StatusServer {
  address: string;
  close(): Promise<void>;
}

export async function startStatusServer(listen: string, status: ReconcileStatus): Promise<StatusServer> {
  const { host, port } = parseListen(listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
    if (path === "/healthz") return status.healthy() ? send(200, "text/plain", "ok\n") : send(503, "text/plain", "last tick failed\n");
    if (path === "/status") return send(200, "application/json", `${JSON.stringify(status.toJson(), null, 2)}\n`);
    if (path === "/metrics") return send(200, "text/plain; version=0.0.4; charset=utf-8", status.toPrometheus());
    send(404, "text/plain", "not found: try /healthz, /status, /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // keep-alive clients would hold close() open
    }),
  };
}
