/**
 * Image references: `host[:port]/repo[:tag][@sha256:...]`. A first component without a dot, a
 * colon or "localhost" is a Docker Hub path (docker.io, "library/" for one-component names).
 */
import { ValidationError } from "../../../../core/errors.js";

export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function parseReference(ref: string, where = "ref"): ImageReference {
  const bad = (why: string) => new ValidationError(where, `${JSON.stringify(ref)} ${why}`);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad("has a digest that is not sha256:<64 hex>");
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad("has an invalid tag");
  }
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  let registry = "docker.io";
  let repository = rest;
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    repository = rest.slice(slash + 1);
  } else if (slash < 0) {
    repository = `library/${rest}`;
  }
  if (!REPO.test(repository)) throw bad("has an invalid repository name");
  if (!tag && !digest) tag = "latest";
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** Like Docker's insecure-localhost rule: plain http only to loopback registries. */
export function registryBaseUrl(registry: string): string {
  const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
  const name = host.replace(/:\d+$/, "");
  const loopback = name === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(name) || name === "[::1]";
  return `${loopback ? "http" : "https"}://${host}`;
}
