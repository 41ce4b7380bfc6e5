/**
 * The provider's logic, in plain data and free of gRPC: what each ResourceProvider method means
 * for cinfra. The transport (grpc-server.ts) only converts messages to and from these calls.
 */
import { CinfraError, ValidationError } from "../../core/errors.js";
import type { Runtime } from "../../core/runtime.js";
import type { RuntimeConfig } from "../linux/config.js";
import { withBuildDigest } from "./build-digest.js";
import { checkInputs, type CheckResult } from "./check-inputs.js";
import { diffInputs, type DiffResult } from "./diff-inputs.js";
import { Lifecycle, type Target } from "./lifecycle.js";
import { changedConfigKeys, checkConfig, runtimeConfigFrom } from "./provider-config.js";
import { kindOfToken, PROVIDER_VERSION, schemaText } from "./schema.js";
import { unwrapSecrets, type WireObject } from "./wire-values.js";

export interface ConfigureResult {
  acceptSecrets: boolean;
  supportsPreview: boolean;
  acceptResources: boolean;
  acceptOutputs: boolean;
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` */
export function parsePulumiUrn(urn: string): { stack: string; project: string; type: string; name: string } {
  const parts = urn.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::") : [];
  if (parts.length < 4) throw new ValidationError("urn", `${JSON.stringify(urn)} is not a Pulumi URN`);
  const qualified = parts[2];
  return { stack: parts[0], project: parts[1], type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

export class CinfraProvider {
  private configValues: WireObject = {};
  private runtimeInstance: Runtime | undefined;
  private cancelled = false;
  private readonly lifecycle: Lifecycle;

  constructor(
    private readonly makeRuntime: (config: RuntimeConfig) => Runtime,
    private readonly env: NodeJS.ProcessEnv = process.env,
    progress: (message: string) => void = () => {},
  ) {
    this.lifecycle = new Lifecycle(() => this.runtime(), progress);
  }

  pluginInfo(): { version: string } {
    return { version: PROVIDER_VERSION };
  }

  schema(): string {
    return schemaText();
  }

  checkConfig(news: WireObject): CheckResult {
    return { inputs: news, failures: checkConfig(unwrapSecrets(news).plain) };
  }

  /** A change of roots puts every resource somewhere else: they are all replaced (the engine creates them anew first). */
  diffConfig(olds: WireObject, news: WireObject): DiffResult {
    const changed = changedConfigKeys(unwrapSecrets(olds).plain, unwrapSecrets(news).plain, this.env);
    const detailedDiff: DiffResult["detailedDiff"] = Object.fromEntries(changed.map((k) => [k, { kind: "UPDATE_REPLACE", inputDiff: true }]));
    return { changes: changed.length > 0, replaces: changed, stables: [], deleteBeforeReplace: false, diffs: changed, detailedDiff };
  }

  configure(values: WireObject): ConfigureResult {
    const plain = unwrapSecrets(values).plain;
    const failures = checkConfig(plain);
    if (failures.length > 0) throw new ValidationError(`cinfra:${failures[0].property}`, failures[0].reason);
    this.configValues = plain;
    return { acceptSecrets: true, supportsPreview: true, acceptResources: false, acceptOutputs: false };
  }

  /** Where the runtime keeps its objects (configuration, then CINFRA_* environment, then defaults). */
  runtimeConfig(): RuntimeConfig {
    return runtimeConfigFrom(this.configValues, this.env);
  }

  check(urn: string, news: WireObject): CheckResult {
    const t = this.target(urn);
    const result = checkInputs(t.kind, t.name, news);
    return t.kind === "image" && result.failures.length === 0 && news.build !== undefined ? withBuildDigest(result) : result;
  }

  diff(urn: string, oldInputs: WireObject, news: WireObject, ignoreChanges: readonly string[]): DiffResult {
    return diffInputs(this.target(urn).kind, oldInputs, news, ignoreChanges);
  }

  async create(urn: string, inputs: WireObject, preview: boolean): Promise<{ id: string; properties: WireObject }> {
    this.refuseIfCancelled(preview);
    return this.lifecycle.create(this.target(urn), inputs, preview);
  }

  async read(urn: string, id: string, properties: WireObject, inputs: WireObject | undefined) {
    this.refuseIfCancelled(false);
    return this.lifecycle.read(this.target(urn), id, properties, inputs);
  }

  async update(urn: string, id: string, olds: WireObject, oldInputs: WireObject | undefined, news: WireObject,
    options: { preview: boolean; ignoreChanges: readonly string[] }): Promise<WireObject> {
    this.refuseIfCancelled(options.preview);
    return this.lifecycle.update(this.target(urn), id, olds, oldInputs, news, options);
  }

  async delete(urn: string, id: string, olds: WireObject, oldInputs: WireObject | undefined): Promise<void> {
    this.refuseIfCancelled(false);
    return this.lifecycle.delete(this.target(urn), id, olds, oldInputs);
  }

  /** Operations already running finish (each is transactional); new ones are refused. */
  cancel(): void {
    this.cancelled = true;
  }

  async close(): Promise<void> {
    await this.runtimeInstance?.close();
    this.runtimeInstance = undefined;
  }

  private runtime(): Runtime {
    // Made on first real use, after Configure: a preview never opens the image store or a netlink socket.
    return (this.runtimeInstance ??= this.makeRuntime(this.runtimeConfig()));
  }

  private refuseIfCancelled(preview: boolean): void {
    if (this.cancelled && !preview) throw new CinfraError("CANCELLED", "the operation was cancelled");
  }

  private target(urn: string): Target {
    const parsed = parsePulumiUrn(urn);
    const kind = kindOfToken(parsed.type);
    if (!kind) throw new ValidationError("type", `${parsed.type} is not a cinfra resource type`);
    return { kind, name: parsed.name, stack: `pulumi-${parsed.project}-${parsed.stack}` };
  }
}
