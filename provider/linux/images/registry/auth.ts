/**
 * Registry auth: credentials from a docker-style config.json (`auths`), read at pull time and
 * never stored; a 401's WWW-Authenticate challenge says Basic, or Bearer with a token endpoint.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { RuntimeError } from "../../../../core/errors.js";

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `auths[registry]` of $DOCKER_CONFIG/config.json or ~/.docker/config.json, if any. */
export function credentialsFor(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const path = join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new RuntimeError("REGISTRY_AUTH_CONFIG", `${path}: cannot read docker credentials`, { cause: error });
  }
  const keys = registry === "docker.io" ? ["https://index.docker.io/v1/", "docker.io", "index.docker.io"] : [registry, `https://${registry}`, `http://${registry}`];
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  return undefined;
}

/** Parse `Bearer realm="...",service="...",scope="..."` (RFC 7235 auth-params). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2].matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, "$1") : param[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}

export function basicHeader(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** Ask a Bearer challenge's realm for a token for `scope` (the distribution token protocol). */
export async function fetchToken(challenge: Challenge, scope: string, credentials: Credentials | undefined): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm) throw new RuntimeError("REGISTRY_AUTH", "Bearer challenge without a realm");
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  url.searchParams.set("scope", challenge.params.scope ?? scope);
  const headers: Record<string, string> = {};
  if (credentials) headers.authorization = basicHeader(credentials);
  const response = await fetch(url, { headers });
  if (!response.ok) {
    throw new RuntimeError("REGISTRY_AUTH", `token endpoint ${url.origin}${url.pathname} answered ${response.status}${credentials ? "" : " (no credentials in docker config.json)"}`);
  }
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new RuntimeError("REGISTRY_AUTH", `token endpoint ${url.origin} returned no token`);
  return token;
}
