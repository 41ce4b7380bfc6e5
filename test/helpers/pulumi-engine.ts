/**
 * The engine's side of Pulumi's ResourceProvider protocol, for tests without the Pulumi CLI: start
 * the plugin binary as the engine does (read the port from its first stdout line), then call it over
 * gRPC with the messages from @pulumi/pulumi/proto.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb.js";
import pluginPb from "@pulumi/pulumi/proto/plugin_pb.js";
import providerPb from "@pulumi/pulumi/proto/provider_pb.js";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";
import { fromStruct, toStruct } from "../../provider/pulumi/grpc/messages.js";
import type { WireObject } from "../../provider/pulumi/wire-values.js";

export const PLUGIN = join(import.meta.dirname, "../../bin/pulumi-resource-cinfra");

type Client = InstanceType<typeof providerRpc.ResourceProviderClient>;
type Pb = typeof providerPb;
type M<K extends "GetSchemaResponse" | "CheckResponse" | "DiffResponse" | "ConfigureResponse" | "CreateResponse" | "ReadResponse" | "UpdateResponse"> = InstanceType<Pb[K]>;
type PluginInfo = InstanceType<typeof pluginPb.PluginInfo>;
type Empty = InstanceType<typeof emptyPb.Empty>;
type Callback<Res> = (error: grpc.ServiceError | null, res: Res) => void;

const KIND_NAMES = Object.fromEntries(Object.entries(providerPb.PropertyDiff.Kind).map(([k, v]) => [v, k]));
const CHANGE_NAMES = Object.fromEntries(Object.entries(providerPb.DiffResponse.DiffChanges).map(([k, v]) => [v, k]));

export interface EngineDiff {
  changes: string;
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  detailedDiff: Record<string, string>;
}

export class PulumiEngine {
  private constructor(readonly port: number, private readonly client: Client, readonly child?: ChildProcess, readonly stderr: string[] = []) {}

  /** Start `pulumi-resource-cinfra <engine address>` with `env` and connect to the port it prints. */
  static async launch(env: NodeJS.ProcessEnv): Promise<PulumiEngine> {
    const child = spawn(PLUGIN, ["127.0.0.1:1"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once("line", (line) => resolve(Number(line.trim())));
      child.once("exit", (code) => reject(new Error(`plugin exited (${code}) before printing its port: ${stderr.join("")}`)));
    });
    return new PulumiEngine(port, PulumiEngine.client(port), child, stderr);
  }

  /** Connect to a provider already listening on `port` (an in-process server). */
  static connect(port: number): PulumiEngine {
    return new PulumiEngine(port, PulumiEngine.client(port));
  }

  private static client(port: number): Client {
    return new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  private call<Res>(invoke: (client: Client, callback: Callback<Res>) => unknown): Promise<Res> {
    return new Promise((resolve, reject) => invoke(this.client, (error, response) => (error ? reject(error) : resolve(response))));
  }

  static urn(type: string, name: string): string {
    return `urn:pulumi:dev::cinfra-test::${type}::${name}`;
  }

  async pluginVersion(): Promise<string> {
    return (await this.call<PluginInfo>((c, cb) => c.getPluginInfo(new emptyPb.Empty(), cb))).getVersion();
  }

  async schema(): Promise<Record<string, unknown>> {
    return JSON.parse((await this.call<M<"GetSchemaResponse">>((c, cb) => c.getSchema(new providerPb.GetSchemaRequest(), cb))).getSchema()) as Record<string, unknown>;
  }

  async checkConfig(news: WireObject) {
    const req = new providerPb.CheckRequest().setUrn("urn:pulumi:dev::cinfra-test::pulumi:providers:cinfra::default").setNews(toStruct(news)).setOlds(toStruct({}));
    return checkResult(await this.call<M<"CheckResponse">>((c, cb) => c.checkConfig(req, cb)));
  }

  async diffConfig(olds: WireObject, news: WireObject): Promise<EngineDiff> {
    const req = new providerPb.DiffRequest().setUrn("urn:pulumi:dev::cinfra-test::pulumi:providers:cinfra::default").setOlds(toStruct(olds)).setNews(toStruct(news));
    return diffResult(await this.call<M<"DiffResponse">>((c, cb) => c.diffConfig(req, cb)));
  }

  async configure(args: WireObject) {
    const req = new providerPb.ConfigureRequest().setArgs(toStruct(args)).setAcceptsecrets(true).setSendsOldInputs(true).setSendsOldInputsToDelete(true);
    return (await this.call<M<"ConfigureResponse">>((c, cb) => c.configure(req, cb))).toObject();
  }

  async check(type: string, name: string, news: WireObject, olds: WireObject = {}) {
    const req = new providerPb.CheckRequest().setUrn(PulumiEngine.urn(type, name)).setName(name).setType(type).setOlds(toStruct(olds)).setNews(toStruct(news));
    return checkResult(await this.call<M<"CheckResponse">>((c, cb) => c.check(req, cb)));
  }

  async diff(type: string, name: string, id: string, olds: WireObject, news: WireObject, oldInputs?: WireObject, ignoreChanges: string[] = []): Promise<EngineDiff> {
    const req = new providerPb.DiffRequest().setUrn(PulumiEngine.urn(type, name)).setId(id).setOlds(toStruct(olds)).setNews(toStruct(news)).setIgnorechangesList(ignoreChanges);
    if (oldInputs) req.setOldInputs(toStruct(oldInputs));
    return diffResult(await this.call<M<"DiffResponse">>((c, cb) => c.diff(req, cb)));
  }

  async create(type: string, name: string, properties: WireObject, preview = false): Promise<{ id: string; properties: WireObject }> {
    const req = new providerPb.CreateRequest().setUrn(PulumiEngine.urn(type, name)).setProperties(toStruct(properties)).setPreview(preview);
    const res = await this.call<M<"CreateResponse">>((c, cb) => c.create(req, cb));
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async read(type: string, name: string, id: string, properties: WireObject, inputs?: WireObject) {
    const req = new providerPb.ReadRequest().setUrn(PulumiEngine.urn(type, name)).setId(id).setProperties(toStruct(properties));
    if (inputs) req.setInputs(toStruct(inputs));
    const res = await this.call<M<"ReadResponse">>((c, cb) => c.read(req, cb));
    return { id: res.getId(), properties: fromStruct(res.getProperties()), inputs: fromStruct(res.getInputs()) };
  }

  async update(type: string, name: string, id: string, olds: WireObject, news: WireObject, oldInputs: WireObject, preview = false): Promise<WireObject> {
    const req = new providerPb.UpdateRequest().setUrn(PulumiEngine.urn(type, name)).setId(id).setOlds(toStruct(olds))
      .setNews(toStruct(news)).setOldInputs(toStruct(oldInputs)).setPreview(preview);
    return fromStruct((await this.call<M<"UpdateResponse">>((c, cb) => c.update(req, cb))).getProperties());
  }

  async delete(type: string, name: string, id: string, properties: WireObject, oldInputs: WireObject): Promise<void> {
    const req = new providerPb.DeleteRequest().setUrn(PulumiEngine.urn(type, name)).setId(id).setProperties(toStruct(properties)).setOldInputs(toStruct(oldInputs));
    await this.call<Empty>((c, cb) => c.delete(req, cb));
  }

  async cancel(): Promise<void> {
    await this.call<Empty>((c, cb) => c.cancel(new emptyPb.Empty(), cb));
  }

  /** Close the connection and stop the plugin as the engine does (a signal), waiting for it to exit. */
  async close(): Promise<void> {
    this.client.close();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}

function checkResult(res: InstanceType<typeof providerPb.CheckResponse>) {
  return {
    inputs: fromStruct(res.getInputs()),
    failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
  };
}

function diffResult(res: InstanceType<typeof providerPb.DiffResponse>): EngineDiff {
  const detailedDiff: Record<string, string> = {};
  res.getDetaileddiffMap().forEach((d: InstanceType<typeof providerPb.PropertyDiff>, path: string) => {
    detailedDiff[path] = KIND_NAMES[d.getKind()];
  });
  return {
    changes: CHANGE_NAMES[res.getChanges()], replaces: res.getReplacesList(), stables: res.getStablesList(),
    deleteBeforeReplace: res.getDeletebeforereplace(), diffs: res.getDiffsList(), detailedDiff,
  };
}
