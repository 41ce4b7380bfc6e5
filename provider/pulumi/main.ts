/**
 * Entry of the `pulumi-resource-cinfra` plugin. The engine starts it with its own address as the
 * last argument, reads the port from the first line of stdout, then talks gRPC to it; it stops the
 * plugin with a signal when done.
 */
import { createLinuxRuntime } from "../linux/runtime.js";
import { CinfraProvider } from "./provider.js";
import { serveProvider } from "./grpc/server.js";

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes("--version")) {
    process.stdout.write(`${new CinfraProvider(createLinuxRuntime).pluginInfo().version}\n`);
    return;
  }
  const verbose = process.env.CINFRA_PULUMI_LOG === "1";
  const provider = new CinfraProvider(createLinuxRuntime, process.env, (message) => {
    if (verbose) process.stderr.write(`cinfra: ${message}\n`);
  });
  const { server, port } = await serveProvider(provider);
  process.stdout.write(`${port}\n`);

  const stop = async () => {
    server.forceShutdown();
    await provider.close().catch(() => undefined);
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stop());
}
