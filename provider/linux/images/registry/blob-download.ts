/**
 * A blob's bytes from the registry as one stream. When the connection drops mid-blob, the rest is
 * asked for with `Range: bytes=N-`; a registry that answers 206 resumes where it stopped, one that
 * answers 200 cannot, and the download fails (the store keeps nothing of it; a retry starts over).
 */
import { Readable } from "node:stream";
import { RuntimeError } from "../../../../core/errors.js";
import type { BlobSource } from "../blob-source.js";
import type { Descriptor } from "../types.js";
import type { RegistryClient } from "./client.js";

export interface BlobProgress {
  digest: string;
  received: number;
  total: number;
}

export function registryBlobSource(client: RegistryClient, onProgress?: (progress: BlobProgress) => void): BlobSource {
  return {
    async open(descriptor) {
      return Readable.from(download(client, descriptor, onProgress));
    },
  };
}

async function* download(client: RegistryClient, descriptor: Descriptor, onProgress?: (progress: BlobProgress) => void): AsyncGenerator<Buffer> {
  let received = 0;
  for (let attempt = 1; ; attempt++) {
    const resuming = received > 0;
    const response = await client.get(`/blobs/${descriptor.digest}`, resuming ? { range: `bytes=${received}-` } : {});
    if (resuming && response.status !== 206) {
      await response.body?.cancel();
      throw new RuntimeError("REGISTRY_ERROR", `blob ${descriptor.digest}: connection lost at ${received} bytes and the registry cannot resume (no Range support)`);
    }
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        received += chunk.length;
        onProgress?.({ digest: descriptor.digest, received, total: descriptor.size });
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      }
      return;
    } catch (cause) {
      if (attempt >= client.maxAttempts) {
        throw new RuntimeError("REGISTRY_UNREACHABLE", `blob ${descriptor.digest}: ${(cause as Error).message} after ${received} bytes`, { cause });
      }
      await client.backoff(attempt);
    }
  }
}
