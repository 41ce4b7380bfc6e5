/**
 * Generates the TypeScript SDK (provider/pulumi/sdk/) from schema.json, the way Pulumi's codegen
 * shapes a Node SDK: one CustomResource class per resource, `XArgs` input types, plain output types.
 * Pure (text in, text out): `write-sdk.mjs` writes the files and a unit test checks they are current.
 */
import type { ObjectTypeSpec, PackageSchema, PropertySpec, ResourceSpec } from "../schema.js";

const HEADER = "// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.\n";

function typeName(ref: string): string {
  return ref.slice(ref.lastIndexOf(":") + 1);
}

function doc(text: string | undefined, indent: string): string {
  return text ? `${indent}/** ${text.replace(/\*\//g, "*\\/")} */\n` : "";
}

/** The TypeScript type of a property: `input` wraps every level in pulumi.Input, as Pulumi's codegen does. */
export function tsType(spec: PropertySpec, mode: "input" | "output", qualifier = ""): string {
  const wrap = (t: string) => (mode === "input" ? `pulumi.Input<${t}>` : t);
  if (spec.$ref) return wrap(`${qualifier}${typeName(spec.$ref)}${mode === "input" ? "Args" : ""}`);
  if (spec.oneOf) return wrap(spec.oneOf.map((s) => tsType(s, "output", qualifier)).join(" | "));
  switch (spec.type) {
    case "string": return wrap("string");
    case "integer":
    case "number": return wrap("number");
    case "boolean": return wrap("boolean");
    case "array": return wrap(`${paren(tsType(spec.items!, mode, qualifier))}[]`);
    case "object": return wrap(`{ [key: string]: ${tsType(spec.additionalProperties!, mode, qualifier)} }`);
    default: throw new Error(`unsupported schema property ${JSON.stringify(spec)}`);
  }
}

const paren = (t: string) => (t.includes("|") ? `(${t})` : t);

function typesFile(schema: PackageSchema): string {
  let out = `${HEADER}import type * as pulumi from "@pulumi/pulumi";\n`;
  for (const [token, spec] of Object.entries(schema.types) as [string, ObjectTypeSpec][]) {
    const name = typeName(token);
    const required = new Set(spec.required ?? []);
    for (const mode of ["input", "output"] as const) {
      out += `\n${doc(spec.description, "")}export interface ${name}${mode === "input" ? "Args" : ""} {\n`;
      for (const [prop, p] of Object.entries(spec.properties)) {
        out += `${doc(p.description, "  ")}  ${prop}${required.has(prop) ? "" : "?"}: ${tsType(p, mode)};\n`;
      }
      out += "}\n";
    }
  }
  return out;
}

function argsInterface(name: string, spec: ResourceSpec): string {
  const required = new Set(spec.requiredInputs ?? []);
  let out = `\n/** The arguments of a ${name}. */\nexport interface ${name}Args {\n`;
  for (const [prop, p] of Object.entries(spec.inputProperties)) {
    out += `${doc(p.description, "  ")}  ${prop}${required.has(prop) ? "" : "?"}: ${tsType(p, "input", "types.")};\n`;
  }
  return `${out}}\n`;
}

function resourceFile(token: string, spec: ResourceSpec, version: string): string {
  const name = typeName(token);
  const required = new Set(spec.required ?? []);
  const requiredInputs = spec.requiredInputs ?? [];
  const argsOptional = requiredInputs.length === 0;
  const outputs = Object.entries(spec.properties).map(([prop, p]) => {
    const t = tsType(p, "output", "types.");
    return `${doc(p.description ?? spec.inputProperties[prop]?.description, "  ")}  declare public readonly ${prop}: pulumi.Output<${required.has(prop) ? t : `${paren(t)} | undefined`}>;\n`;
  }).join("");
  // Every property is passed (outputs as undefined): Pulumi makes an Output for each key it is given.
  const assignments = Object.keys(spec.properties).map((prop) => `      ${prop}: ${prop in spec.inputProperties ? `args?.${prop}` : "undefined"},\n`).join("");
  const checks = requiredInputs.length === 0 ? "" : `    if (opts.id === undefined) {\n${requiredInputs.map((prop) =>
    `      if (args?.${prop} === undefined) throw new ValidationError(\`${name.toLowerCase()}.\${name}.${prop}\`, "is required");\n`).join("")}    }\n`;
  return `${HEADER}import * as pulumi from "@pulumi/pulumi";
${requiredInputs.length ? 'import { ValidationError } from "../../../core/errors.js";\n' : ""}import type * as types from "./types.js";
${argsInterface(name, spec)}
${doc(spec.description, "")}export class ${name} extends pulumi.CustomResource {
  /** @internal */
  static readonly __pulumiType = "${token}";

  /** An existing ${name}'s state, looked up by its id. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ${name} {
    return new ${name}(name, undefined, { ...opts, id });
  }

  static override isInstance(obj: unknown): obj is ${name} {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === ${name}.__pulumiType;
  }

${outputs}
  constructor(name: string, args${argsOptional ? "?" : ""}: ${name}Args, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: ${name}Args | undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args?: ${name}Args, opts: pulumi.CustomResourceOptions = {}) {
${checks}    const inputs: pulumi.Inputs = {
${assignments}    };
    super(${name}.__pulumiType, name, inputs, { version: "${version}", ...opts });
  }
}
`;
}

function providerFile(schema: PackageSchema): string {
  const props = Object.entries(schema.provider.inputProperties);
  return `${HEADER}import * as pulumi from "@pulumi/pulumi";

/** The arguments of a cinfra Provider. */
export interface ProviderArgs {
${props.map(([prop, p]) => `${doc(p.description, "  ")}  ${prop}?: ${tsType(p, "input")};\n`).join("")}}

${doc(schema.provider.description, "")}export class Provider extends pulumi.ProviderResource {
  /** @internal */
  static readonly __pulumiType = "${schema.name}";

  constructor(name: string, args: ProviderArgs = {}, opts: pulumi.ResourceOptions = {}) {
    const inputs: pulumi.Inputs = {
${props.map(([prop]) => `      ${prop}: args.${prop},\n`).join("")}    };
    super(Provider.__pulumiType, name, inputs, { version: "${schema.version}", ...opts });
  }
}
`;
}

function fileOf(token: string): string {
  return `${typeName(token).toLowerCase()}.ts`;
}

export function generateSdk(schema: PackageSchema): Map<string, string> {
  const files = new Map<string, string>();
  files.set("types.ts", typesFile(schema));
  files.set("provider.ts", providerFile(schema));
  for (const [token, spec] of Object.entries(schema.resources)) files.set(fileOf(token), resourceFile(token, spec, schema.version));
  const exports = [...Object.keys(schema.resources).map((t) => `export { ${typeName(t)}, type ${typeName(t)}Args } from "./${fileOf(t).replace(/\.ts$/, ".js")}";`),
    'export { Provider, type ProviderArgs } from "./provider.js";', 'export type * as types from "./types.js";'];
  files.set("index.ts", `${HEADER}/** The cinfra Pulumi SDK: \`import * as cinfra from "cinfra/pulumi"\`. */\n${exports.join("\n")}\n`);
  return files;
}
