/** The TypeScript text of a `new Container(...)` declaration, references written as the program's variables. Pure. */
import { parseUrn, type Urn } from "../../core/model/types.js";
import { RefTo, type DeclArgs, type DeclValue } from "./import-declaration.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const INLINE_WIDTH = 100;

/** A variable name for a resource the program does not name yet: `demo-net` -> `demoNet`. */
export function identifierFor(urn: Urn): string {
  const { name } = parseUrn(urn);
  const camel = name.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""));
  return /^[A-Za-z_$]/.test(camel) ? camel : `_${camel}`;
}

function render(value: DeclValue, names: (urn: Urn) => string, indent: string): string {
  if (value instanceof RefTo) return names(value.urn);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((v) => render(v, names, inner));
    const flat = `[${items.join(", ")}]`;
    return flat.length <= INLINE_WIDTH && !flat.includes("\n") ? flat : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${render(v, names, inner)}`);
  const flat = `{ ${entries.join(", ")} }`;
  if (entries.length === 0) return "{}";
  return flat.length <= INLINE_WIDTH && !flat.includes("\n") ? flat : `{\n${entries.map((e) => `${inner}${e},`).join("\n")}\n${indent}}`;
}

/** `new Container("web", { … });`, one prop per line. */
export function renderContainer(name: string, args: DeclArgs, names: (urn: Urn) => string = identifierFor, className = "Container"): string {
  const props = Object.entries(args).map(([k, v]) => `  ${k}: ${render(v, names, "  ")},`);
  return `new ${className}(${JSON.stringify(name)}, {\n${props.join("\n")}\n});\n`;
}
