/**
 * Conversion between Pulumi's protobuf messages (the generated classes shipped in
 * @pulumi/pulumi/proto) and the provider's plain data.
 */
import providerPb from "@pulumi/pulumi/proto/provider_pb.js";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import type { CheckResult } from "../check-inputs.js";
import type { DiffResult } from "../diff-inputs.js";
import type { WireObject } from "../wire-values.js";

export { providerPb };

type Struct = InstanceType<typeof structPb.Struct>;

export function fromStruct(struct: Struct | undefined): WireObject {
  return (struct?.toJavaScript() ?? {}) as WireObject;
}

/** Like fromStruct, but undefined when the engine sent nothing (an older engine without old inputs). */
export function optionalStruct(struct: Struct | undefined): WireObject | undefined {
  const value = struct?.toJavaScript();
  return value && Object.keys(value).length > 0 ? (value as WireObject) : undefined;
}

export function toStruct(value: WireObject): Struct {
  return structPb.Struct.fromJavaScript(value as Parameters<typeof structPb.Struct.fromJavaScript>[0]);
}

export function checkResponse(result: CheckResult): InstanceType<typeof providerPb.CheckResponse> {
  const response = new providerPb.CheckResponse();
  response.setInputs(toStruct(result.inputs));
  response.setFailuresList(result.failures.map((f) => {
    const failure = new providerPb.CheckFailure();
    failure.setProperty(f.property);
    failure.setReason(f.reason);
    return failure;
  }));
  return response;
}

const KINDS = providerPb.PropertyDiff.Kind;
const CHANGES = providerPb.DiffResponse.DiffChanges;

export function diffResponse(result: DiffResult): InstanceType<typeof providerPb.DiffResponse> {
  const response = new providerPb.DiffResponse();
  response.setChanges(result.changes ? CHANGES.DIFF_SOME : CHANGES.DIFF_NONE);
  response.setReplacesList(result.replaces);
  response.setStablesList(result.stables);
  response.setDeletebeforereplace(result.deleteBeforeReplace);
  response.setDiffsList(result.diffs);
  response.setHasdetaileddiff(true);
  const detailed = response.getDetaileddiffMap();
  for (const [path, diff] of Object.entries(result.detailedDiff)) {
    const property = new providerPb.PropertyDiff();
    property.setKind(KINDS[diff.kind]);
    property.setInputdiff(diff.inputDiff);
    detailed.set(path, property);
  }
  return response;
}

/** The configuration map the engine sends (`cinfra:config:libRoot` -> value). */
export function variablesOf(request: InstanceType<typeof providerPb.ConfigureRequest>): Map<string, string> {
  const out = new Map<string, string>();
  request.getVariablesMap().forEach((value: string, key: string) => out.set(key, value));
  return out;
}
