/**
 * The ResourceProvider gRPC service over the provider logic: each handler converts the request,
 * calls CinfraProvider, and converts the result or the error. Nothing else lives here.
 */
import * as grpc from "@grpc/grpc-js";
import providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb.js";
import pluginPb from "@pulumi/pulumi/proto/plugin_pb.js";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";
import { CinfraError, ValidationError } from "../../../core/errors.js";
import { configValues } from "../provider-config.js";
import type { CinfraProvider } from "../provider.js";
import {
  checkResponse, diffResponse, fromStruct, optionalStruct, providerPb, toStruct, variablesOf,
} from "./messages.js";

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** A unary handler from an async function; errors become gRPC statuses the engine shows as-is. */
function unary<Req, Res>(fn: (request: Req) => Res | Promise<Res>): Handler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then((response) => callback(null, response), (error: unknown) => callback(statusOf(error)));
  };
}

function statusOf(error: unknown): Partial<grpc.StatusObject> {
  const code = error instanceof ValidationError ? grpc.status.INVALID_ARGUMENT
    : error instanceof CinfraError && error.code === "CANCELLED" ? grpc.status.CANCELLED
      : grpc.status.UNKNOWN;
  const message = error instanceof Error ? error.message : String(error);
  return { code, details: message };
}

const empty = () => new emptyPb.Empty();
type Pb = typeof providerPb;
type Msg<K extends keyof Pb> = Pb[K] extends abstract new (...args: never[]) => infer I ? I : never;

export function providerService(p: CinfraProvider): grpc.UntypedServiceImplementation {
  return {
    getPluginInfo: unary(() => new pluginPb.PluginInfo().setVersion(p.pluginInfo().version)),
    getSchema: unary((_req: Msg<"GetSchemaRequest">) => new providerPb.GetSchemaResponse().setSchema(p.schema())),
    checkConfig: unary((req: Msg<"CheckRequest">) => checkResponse(p.checkConfig(fromStruct(req.getNews())))),
    diffConfig: unary((req: Msg<"DiffRequest">) => diffResponse(p.diffConfig(fromStruct(req.getOlds()), fromStruct(req.getNews())))),
    configure: unary((req: Msg<"ConfigureRequest">) => {
      const r = p.configure(configValues(optionalStruct(req.getArgs()), variablesOf(req)));
      return new providerPb.ConfigureResponse()
        .setAcceptsecrets(r.acceptSecrets).setSupportspreview(r.supportsPreview)
        .setAcceptresources(r.acceptResources).setAcceptoutputs(r.acceptOutputs);
    }),
    check: unary((req: Msg<"CheckRequest">) => checkResponse(p.check(req.getUrn(), fromStruct(req.getNews())))),
    diff: unary((req: Msg<"DiffRequest">) => {
      const oldInputs = optionalStruct(req.getOldInputs()) ?? fromStruct(req.getOlds());
      return diffResponse(p.diff(req.getUrn(), oldInputs, fromStruct(req.getNews()), req.getIgnorechangesList()));
    }),
    create: unary(async (req: Msg<"CreateRequest">) => {
      const r = await p.create(req.getUrn(), fromStruct(req.getProperties()), req.getPreview());
      return new providerPb.CreateResponse().setId(r.id).setProperties(toStruct(r.properties));
    }),
    read: unary(async (req: Msg<"ReadRequest">) => {
      const r = await p.read(req.getUrn(), req.getId(), fromStruct(req.getProperties()), optionalStruct(req.getInputs()));
      // An empty id tells the engine the object is gone.
      if (!r) return new providerPb.ReadResponse().setId("");
      return new providerPb.ReadResponse().setId(r.id).setProperties(toStruct(r.properties)).setInputs(toStruct(r.inputs));
    }),
    update: unary(async (req: Msg<"UpdateRequest">) => {
      const properties = await p.update(req.getUrn(), req.getId(), fromStruct(req.getOlds()), optionalStruct(req.getOldInputs()),
        fromStruct(req.getNews()), { preview: req.getPreview(), ignoreChanges: req.getIgnorechangesList() });
      return new providerPb.UpdateResponse().setProperties(toStruct(properties));
    }),
    delete: unary(async (req: Msg<"DeleteRequest">) => {
      await p.delete(req.getUrn(), req.getId(), fromStruct(req.getProperties()), optionalStruct(req.getOldInputs()));
      return empty();
    }),
    cancel: unary(() => {
      p.cancel();
      return empty();
    }),
  };
}

/** Listen on a free loopback port, as the engine expects of a plugin; resolves to the port. */
export async function serveProvider(p: CinfraProvider): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(providerRpc.ResourceProviderService, providerService(p));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return { server, port };
}
