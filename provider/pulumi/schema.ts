/** The Pulumi package schema (schema.json) and the mapping between its tokens and cinfra's kinds. */
import type { Kind } from "../../core/model/types.js";
import schemaJson from "./schema.json" with { type: "json" };

export interface PropertySpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  $ref?: string;
  oneOf?: PropertySpec[];
  description?: string;
  willReplaceOnChanges?: boolean;
}

export interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface ResourceSpec {
  description?: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface PackageSchema {
  name: string;
  version: string;
  description?: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { description?: string; inputProperties: Record<string, PropertySpec> };
  types: Record<string, ObjectTypeSpec>;
  resources: Record<string, ResourceSpec>;
}

export const PACKAGE_SCHEMA = schemaJson as PackageSchema;
export const PACKAGE_NAME = PACKAGE_SCHEMA.name;
export const PROVIDER_VERSION = PACKAGE_SCHEMA.version;

const TOKENS: Record<Kind, string> = {
  image: "cinfra:index:Image",
  volume: "cinfra:index:Volume",
  network: "cinfra:index:Network",
  container: "cinfra:index:Container",
};

export function tokenOf(kind: Kind): string {
  return TOKENS[kind];
}

export function kindOfToken(token: string): Kind | undefined {
  return (Object.keys(TOKENS) as Kind[]).find((k) => TOKENS[k] === token);
}

export function resourceSpec(kind: Kind): ResourceSpec {
  return PACKAGE_SCHEMA.resources[TOKENS[kind]];
}

/** Top-level input property names of a kind, as the schema declares them. */
export function inputNames(kind: Kind): string[] {
  return Object.keys(resourceSpec(kind).inputProperties);
}

/** The schema's text for GetSchema: what `pulumi package get-schema` shows. */
export function schemaText(): string {
  return JSON.stringify(PACKAGE_SCHEMA);
}
