/** The gRPC transport in process, over loopback, with an in-memory runtime: message mapping and statuses. */
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveProvider } from "../../provider/pulumi/grpc/server.js";
import { CinfraProvider } from "../../provider/pulumi/provider.js";
import { isSecret, secret, type WireObject } from "../../provider/pulumi/wire-values.js";
import { FakeRuntime } from "../helpers/pulumi-fake-runtime.js";
import { PulumiEngine } from "../helpers/pulumi-engine.js";

const runtime = new FakeRuntime();
let server: grpc.Server;
let engine: PulumiEngine;

beforeAll(async () => {
  const served = await serveProvider(new CinfraProvider(() => runtime, {}));
  server = served.server;
  engine = PulumiEngine.connect(served.port);
});

afterAll(async () => {
  await engine.close();
  server.forceShutdown();
});

describe("ResourceProvider over gRPC", () => {
  it("configures: secrets accepted, preview supported, resources as ids", async () => {
    expect(await engine.configure({ libRoot: "/tmp/cinfra-grpc/lib" })).toMatchObject({
      acceptsecrets: true, supportspreview: true, acceptresources: false, acceptoutputs: false,
    });
  });

  it("returns check failures as messages and unknown types as INVALID_ARGUMENT", async () => {
    const { failures } = await engine.check("cinfra:index:Container", "web", { image: "x", limits: { pids: 0 } });
    expect(failures).toEqual([{ property: "limits.pids", reason: "0 is out of range (1..4194304)" }]);
    await expect(engine.check("cinfra:index:Nope", "x", {})).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it("carries detailedDiff, replaces and stables", async () => {
    const olds = { image: "i", restart: "no", hostname: "a" };
    const diff = await engine.diff("cinfra:index:Container", "web", "c1", olds, { image: "i", restart: "always", hostname: "b" }, olds);
    expect(diff).toMatchObject({
      changes: "DIFF_SOME", replaces: ["hostname"], deleteBeforeReplace: false,
      detailedDiff: { restart: "UPDATE", hostname: "UPDATE_REPLACE" },
    });
    expect(diff.stables).toContain("image");
  });

  it("keeps secrets through a create and a read", async () => {
    const created = await engine.create("cinfra:index:Volume", "data", { labels: { token: secret("xyz") } });
    expect(isSecret((created.properties.labels as WireObject).token)).toBe(true);
    const read = await engine.read("cinfra:index:Volume", "data", created.id, created.properties, { labels: { token: secret("xyz") } });
    expect(isSecret((read.inputs.labels as WireObject).token)).toBe(true);
    expect(read.properties.mountpoint).toBe(created.properties.mountpoint);
  });

  it("answers a failing operation with its error, then keeps serving", async () => {
    runtime.failNextCreate = "network";
    await expect(engine.create("cinfra:index:Network", "n", {})).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: "network create failed" });
    expect((await engine.create("cinfra:index:Network", "n", {})).id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("leaves methods cinfra does not offer unimplemented", async () => {
    const client = new grpc.Client(`127.0.0.1:${engine.port}`, grpc.credentials.createInsecure());
    const status = await new Promise<grpc.ServiceError>((resolve) => client.makeUnaryRequest(
      "/pulumirpc.ResourceProvider/Invoke", (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (error) => resolve(error!),
    ));
    client.close();
    expect(status.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});
