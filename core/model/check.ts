/**
 * Small validators for stack-program props. Each takes the property path used in errors
 * (`container.web.limits.memory`) and throws ValidationError naming it.
 */
import { ValidationError } from "../errors.js";
import type { Kind, Ref } from "./types.js";

/** Brand carried by every SDK resource object, so validators can recognise references without importing the SDK. */
export const RESOURCE_BRAND = Symbol.for("cinfra.resource");

export interface BrandedResource {
  readonly [RESOURCE_BRAND]: true;
  readonly kind: Kind;
  readonly name: string;
  readonly urn: Ref["$ref"];
}

export function isResource(value: unknown): value is BrandedResource {
  return typeof value === "object" && value !== null && (value as BrandedResource)[RESOURCE_BRAND] === true;
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (isResource(value)) return `${value.kind} "${value.name}"`;
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

export function fail(path: string, reason: string): never {
  throw new ValidationError(path, reason);
}

/** A plain object with no keys outside `allowed`. */
export function record(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || isResource(value)) {
    fail(path, `expected an object, got ${describe(value)}`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      fail(`${path}.${key}`, `unknown property (known: ${allowed.join(", ")})`);
    }
  }
  return obj;
}

export function string(value: unknown, path: string, pattern?: { re: RegExp; what: string }): string {
  if (typeof value !== "string") fail(path, `expected a string, got ${describe(value)}`);
  if (pattern && !pattern.re.test(value)) fail(path, `${describe(value)} is not ${pattern.what}`);
  return value;
}

export function number(value: unknown, path: string, range: { min: number; max: number; integer?: boolean }): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(path, `expected a number, got ${describe(value)}`);
  if (range.integer && !Number.isInteger(value)) fail(path, `${value} is not a whole number`);
  if (value < range.min || value > range.max) fail(path, `${value} is out of range (${range.min}..${range.max})`);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") fail(path, `expected true or false, got ${describe(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
  if (typeof value !== "string" || !choices.includes(value as T)) {
    fail(path, `${describe(value)} is not one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  return value as T;
}

export function array(value: unknown, path: string, opts: { nonEmpty?: boolean } = {}): unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  if (opts.nonEmpty && value.length === 0) fail(path, "must not be empty");
  return value;
}

export function stringArray(value: unknown, path: string, opts: { nonEmpty?: boolean } = {}): string[] {
  return array(value, path, opts).map((item, i) => string(item, `${path}[${i}]`));
}

export function stringMap(value: unknown, path: string, keyPattern: { re: RegExp; what: string }): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, `expected an object of strings, got ${describe(value)}`);
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(value).sort()) {
    if (!keyPattern.re.test(key)) fail(`${path}.${key}`, `${JSON.stringify(key)} is not ${keyPattern.what}`);
    out[key] = string((value as Record<string, unknown>)[key], `${path}.${key}`);
  }
  return out;
}

/** A reference to another resource of `kind`, as a Ref in normalized props. */
export function reference(value: unknown, path: string, kind: Kind): Ref {
  if (!isResource(value) || value.kind !== kind) fail(path, `expected a ${kind} resource, got ${describe(value)}`);
  return { $ref: value.urn };
}

export const ABSOLUTE_PATH = { re: /^\/(?!.*(^|\/)\.\.(\/|$)).*$/, what: "an absolute path without '..'" };
export const RESOURCE_NAME = { re: /^[a-z0-9]([a-z0-9-_]{0,61}[a-z0-9])?$/, what: "a valid name (lowercase letters, digits, '-', '_'; at most 63)" };
