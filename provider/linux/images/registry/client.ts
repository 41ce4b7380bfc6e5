/**
 * An OCI distribution v2 client over Node's fetch: one repository, auth negotiated on the first 401
 * (Basic, or Bearer through the challenge's token endpoint) and reused, retries with back-off.
 */
import { RuntimeError } from "../../../../core/errors.js";
import { sha256 } from "../digest.js";
import { MEDIA_TYPES } from "../types.js";
import { basicHeader, credentialsFor, fetchToken, parseChallenge, type Credentials } from "./auth.js";
import { registryBaseUrl, type ImageReference } from "./reference.js";

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest,
].join(", ");

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface ClientOptions {
  credentials?: Credentials;
  /** Attempts per request on network errors and 5xx/429 (default 4). */
  attempts?: number;
  /** First back-off delay in ms, doubled each attempt (default 200). */
  backoffMs?: number;
}

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;
  private readonly credentials: Credentials | undefined;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(readonly ref: ImageReference, options: ClientOptions = {}) {
    this.base = `${registryBaseUrl(ref.registry)}/v2/${ref.repository}`;
    this.credentials = options.credentials ?? credentialsFor(ref.registry);
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 200;
  }

  /** GET with auth and retries; a non-2xx answer (after retries) is a RuntimeError naming the URL. */
  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = `${this.base}${path}`;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.authorized(url, headers);
      } catch (cause) {
        if (cause instanceof RuntimeError) throw cause; // an auth refusal, not a network blip
        if (attempt >= this.attempts) throw new RuntimeError("REGISTRY_UNREACHABLE", `GET ${url}: ${(cause as Error).message}`, { cause });
        await this.backoff(attempt);
        continue;
      }
      if (response.ok) return response;
      await response.body?.cancel();
      if ((response.status >= 500 || response.status === 429) && attempt < this.attempts) {
        await this.backoff(attempt);
        continue;
      }
      const code = response.status === 404 ? "IMAGE_NOT_FOUND" : response.status === 401 || response.status === 403 ? "REGISTRY_AUTH" : "REGISTRY_ERROR";
      throw new RuntimeError(code, `GET ${url}: ${response.status} ${response.statusText}`);
    }
  }

  async manifest(reference: string): Promise<FetchedManifest> {
    const response = await this.get(`/manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > 4 * 2 ** 20) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${this.base} manifest ${reference} is larger than 4 MiB`);
    const digest = sha256(bytes);
    if (reference.startsWith("sha256:") && digest !== reference) {
      throw new RuntimeError("BLOB_DIGEST_MISMATCH", `manifest should be ${reference} but its bytes are ${digest}`);
    }
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0].trim();
    return { bytes, mediaType, digest };
  }

  private async authorized(url: string, headers: Record<string, string>): Promise<Response> {
    const send = () => fetch(url, { headers: { ...headers, ...(this.authorization ? { authorization: this.authorization } : {}) } });
    const response = await send();
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    if (!challenge) return response;
    await response.body?.cancel();
    if (challenge.scheme === "basic") {
      if (!this.credentials) throw new RuntimeError("REGISTRY_AUTH", `${this.ref.registry} wants a login; none in docker config.json`);
      this.authorization = basicHeader(this.credentials);
    } else if (challenge.scheme === "bearer") {
      this.authorization = `Bearer ${await fetchToken(challenge, `repository:${this.ref.repository}:pull`, this.credentials)}`;
    } else {
      throw new RuntimeError("REGISTRY_AUTH", `${this.ref.registry}: unsupported auth scheme ${challenge.scheme}`);
    }
    return send();
  }

  backoff(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** (attempt - 1)));
  }

  get maxAttempts(): number {
    return this.attempts;
  }
}
