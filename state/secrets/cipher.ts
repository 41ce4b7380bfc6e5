/**
 * Secret values at rest: AES-256-GCM, a fresh 96-bit IV per value, the key derived per stack from a
 * passphrase (scrypt) or a key file (HKDF over its bytes), with a random salt kept in state. A sealed
 * check value lets a wrong passphrase fail clearly instead of yielding garbage.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scryptSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { StateError } from "../../core/errors.js";

export type KeySource = { kind: "passphrase"; passphrase: string } | { kind: "keyfile"; path: string };

/** What state keeps per stack to re-derive the key: never the key itself. */
export interface SecretsKeyRecord {
  kdf: "scrypt" | "hkdf";
  salt: string;
  /** A known plaintext sealed with the key: opening it proves the key is right. */
  check: string;
}

const VERSION = "v1";
const CHECK_PLAINTEXT = "cinfra-secrets-check";
// scrypt cost: ~50 ms here, paid once per command (the key is derived once per stack).
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const MIN_KEY_FILE_BYTES = 32;

export class SecretsCipher {
  private constructor(private readonly key: Buffer) {}

  /** A new key record for a stack that has none yet, and the cipher it opens. */
  static create(source: KeySource): { cipher: SecretsCipher; record: SecretsKeyRecord } {
    const kdf = source.kind === "passphrase" ? "scrypt" : "hkdf";
    const salt = randomBytes(16).toString("base64");
    const cipher = new SecretsCipher(deriveKey(source, kdf, salt));
    return { cipher, record: { kdf, salt, check: cipher.seal(CHECK_PLAINTEXT) } };
  }

  /** The cipher for a stack's existing record; StateError SECRETS_BAD_KEY when the key does not open it. */
  static open(source: KeySource, record: SecretsKeyRecord, stack: string): SecretsCipher {
    const expected = record.kdf === "scrypt" ? "passphrase" : "keyfile";
    if (source.kind !== expected) {
      throw new StateError("SECRETS_BAD_KEY", `stack "${stack}" secrets are encrypted with a ${expected === "passphrase" ? "passphrase (CINFRA_PASSPHRASE)" : "key file (--secrets-key-file)"}, not a ${source.kind}`);
    }
    const cipher = new SecretsCipher(deriveKey(source, record.kdf, record.salt));
    try {
      if (cipher.open(record.check) === CHECK_PLAINTEXT) return cipher;
    } catch {
      // falls through to the clear error below
    }
    throw new StateError("SECRETS_BAD_KEY", `wrong ${source.kind === "passphrase" ? "passphrase" : "key file"} for the secrets of stack "${stack}"`);
  }

  /** `v1:<iv>:<tag>:<ciphertext>`, base64 parts. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
    return [VERSION, iv.toString("base64"), c.getAuthTag().toString("base64"), body.toString("base64")].join(":");
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(":");
    if (version !== VERSION || !iv || !tag || body === undefined) throw new StateError("SECRETS_CORRUPT", "a sealed secret has an unknown format");
    try {
      const d = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
      d.setAuthTag(Buffer.from(tag, "base64"));
      return Buffer.concat([d.update(Buffer.from(body, "base64")), d.final()]).toString("utf8");
    } catch (error) {
      throw new StateError("SECRETS_CORRUPT", "a sealed secret failed authentication (tampered, or another key)", { cause: error });
    }
  }
}

function deriveKey(source: KeySource, kdf: SecretsKeyRecord["kdf"], salt: string): Buffer {
  const saltBytes = Buffer.from(salt, "base64");
  if (source.kind === "passphrase") {
    if (source.passphrase === "") throw new StateError("SECRETS_NO_KEY", "CINFRA_PASSPHRASE is empty");
    return scryptSync(source.passphrase.normalize("NFC"), saltBytes, 32, SCRYPT);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(source.path);
  } catch (error) {
    throw new StateError("SECRETS_NO_KEY", `secrets key file ${source.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  if (bytes.length < MIN_KEY_FILE_BYTES) {
    throw new StateError("SECRETS_NO_KEY", `secrets key file ${source.path} holds ${bytes.length} bytes; it needs at least ${MIN_KEY_FILE_BYTES} random bytes (e.g. head -c 32 /dev/urandom > key)`);
  }
  if (kdf !== "hkdf") throw new StateError("SECRETS_BAD_KEY", "a key file cannot open passphrase-encrypted secrets");
  return Buffer.from(hkdfSync("sha256", bytes, saltBytes, "cinfra secrets v1", 32));
}

/** The key source from flags and environment: `--secrets-key-file` / CINFRA_SECRETS_KEY_FILE first, then CINFRA_PASSPHRASE. */
export function keySourceFrom(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): KeySource | null {
  const path = keyFile ?? env.CINFRA_SECRETS_KEY_FILE;
  if (path) return { kind: "keyfile", path };
  if (env.CINFRA_PASSPHRASE !== undefined) return { kind: "passphrase", passphrase: env.CINFRA_PASSPHRASE };
  return null;
}
