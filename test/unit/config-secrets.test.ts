import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { config, setStackConfig } from "../../core/config/stack-config.js";
import { redactor, SENSITIVE } from "../../core/config/redact.js";
import { StateError, ValidationError } from "../../core/errors.js";
import type { ResourceState } from "../../core/model/types.js";
import { SecretsCipher } from "../../state/secrets/cipher.js";
import { SecretSet, sealingStore } from "../../state/secrets/sealing-store.js";
import { readStackConfig, setConfigValue } from "../../state/secrets/stack-config.js";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";
import { MemoryStore } from "../helpers/memory-store.js";

const dir = mkdtempSync(join(tmpdir(), "cinfra-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setStackConfig(null));

function load(values: Record<string, string>, secrets: string[] = []) {
  setStackConfig({ stack: "demo", values: new Map(Object.entries(values)), secretKeys: new Set(secrets) });
}

describe("typed config getters", () => {
  it("parses numbers, booleans and JSON objects", () => {
    load({ replicas: "3", debug: "true", limits: '{"memory":"64Mi"}', name: "web" });
    expect(config.require("name")).toBe("web");
    expect(config.requireNumber("replicas")).toBe(3);
    expect(config.getBoolean("debug")).toBe(true);
    expect(config.requireObject<{ memory: string }>("limits").memory).toBe("64Mi");
    expect(config.get("missing")).toBeUndefined();
    expect(config.getNumber("missing")).toBeUndefined();
    expect(config.stack).toBe("demo");
  });

  it("names the key and the command that sets it when a value is missing or malformed", () => {
    load({ replicas: "three", debug: "yes" });
    expect(() => config.require("port")).toThrow(ValidationError);
    expect(() => config.require("port")).toThrow(/config\.port: is not set for stack "demo": run `cinfra config set port VALUE --stack demo`/);
    expect(() => config.requireNumber("replicas")).toThrow(/"three" is not a number/);
    expect(() => config.requireBoolean("debug")).toThrow(/"yes" is not true or false/);
    expect(() => config.get("bad key")).toThrow(/not a valid config key/);
  });

  it("gives secrets only when they were stored as secrets", () => {
    load({ token: "abc", password: "hunter22" }, ["password"]);
    expect(config.requireSecret("password")).toBe("hunter22");
    expect(() => config.requireSecret("token")).toThrow(/stored in plain text/);
    expect(() => config.requireSecret("absent")).toThrow(/--secret/);
  });
});

describe("redaction", () => {
  const r = redactor(["hunter22", "ab"]);

  it("hides any string that is or contains a secret, and sealed values, copying only what changes", () => {
    const props = { env: { A: "hunter22", URL: "pg://u:hunter22@db", B: "ab", C: "cab", D: "plain" }, n: 2, sealed: { $secret: "v1:x:y:z" } };
    expect(r.value(props)).toEqual({ env: { A: SENSITIVE, URL: SENSITIVE, B: SENSITIVE, C: "cab", D: "plain" }, n: 2, sealed: SENSITIVE });
    const clean = { env: { D: "plain" }, list: [1, "x"] };
    expect(r.value(clean)).toBe(clean);
  });

  it("masks secrets in log text (short ones only as whole values)", () => {
    expect(r.text("connect pg://u:hunter22@db as ab")).toBe(`connect pg://u:${SENSITIVE}@db as ab`);
  });

  it("passes class instances through untouched", () => {
    class Lazy { get file(): string { throw new Error("must not be read"); } }
    const lazy = new Lazy();
    expect(r.value({ location: lazy }).location).toBe(lazy);
  });
});

describe("secrets cipher", () => {
  it("round-trips with the right passphrase and fails clearly with a wrong one", () => {
    const { cipher, record } = SecretsCipher.create({ kind: "passphrase", passphrase: "pw" });
    const sealed = cipher.seal("s3cret");
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain("s3cret");
    expect(cipher.seal("s3cret")).not.toBe(sealed); // a fresh IV each time
    expect(SecretsCipher.open({ kind: "passphrase", passphrase: "pw" }, record, "demo").open(sealed)).toBe("s3cret");
    expect(() => SecretsCipher.open({ kind: "passphrase", passphrase: "nope" }, record, "demo")).toThrow(/wrong passphrase/);
    expect(() => SecretsCipher.open({ kind: "keyfile", path: "/nonexistent" }, record, "demo")).toThrow(/passphrase/);
  });

  it("detects tampering", () => {
    const { cipher } = SecretsCipher.create({ kind: "passphrase", passphrase: "pw" });
    const [v, iv, tag, body] = cipher.seal("s3cret").split(":");
    const flipped = Buffer.from(body, "base64");
    flipped[0] ^= 1;
    expect(() => cipher.open([v, iv, tag, flipped.toString("base64")].join(":"))).toThrow(StateError);
  });

  it("uses a key file of at least 32 bytes", () => {
    const key = join(dir, "key");
    writeFileSync(key, Buffer.alloc(32, 7));
    const { cipher, record } = SecretsCipher.create({ kind: "keyfile", path: key });
    expect(record.kdf).toBe("hkdf");
    expect(SecretsCipher.open({ kind: "keyfile", path: key }, record, "s").open(cipher.seal("x"))).toBe("x");
    writeFileSync(join(dir, "short"), "too short");
    expect(() => SecretsCipher.create({ kind: "keyfile", path: join(dir, "short") })).toThrow(/at least 32/);
  });
});

describe("config in SQLite state", () => {
  it("stores secrets sealed and reads them back opened", async () => {
    const store = new SqliteStore(join(dir, "config.db"));
    const source = { kind: "passphrase" as const, passphrase: "pw" };
    await setConfigValue(store, "demo", "region", "eu", { secret: false, source: null });
    await setConfigValue(store, "demo", "password", "hunter22", { secret: true, source });
    const raw = await store.listConfig("demo");
    expect(raw.find((e) => e.key === "password")?.value).not.toContain("hunter22");
    const read = await readStackConfig(store, "demo", source);
    expect(read.values.get("password")).toBe("hunter22");
    expect([...read.secretKeys]).toEqual(["password"]);
    await expect(readStackConfig(store, "demo", null)).rejects.toThrow(/CINFRA_PASSPHRASE/);
    expect(await store.removeConfig("demo", "region")).toBe(true);
    expect(await store.removeConfig("demo", "region")).toBe(false);
    expect(store.integrityCheck()).toBe("ok");
    await store.close();
  });
});

describe("sealing store", () => {
  it("keeps secret values encrypted in rows and pending props, plaintext for its callers", async () => {
    const inner = new MemoryStore();
    const { cipher } = SecretsCipher.create({ kind: "passphrase", passphrase: "pw" });
    const secrets = new SecretSet(["hunter22"]);
    const store = sealingStore(inner, cipher, secrets);
    const row: ResourceState = {
      urn: "container.db", kind: "container", name: "db", id: "1",
      inputs: { env: { PASSWORD: "hunter22", USER: "app" } }, outputs: {}, dependsOn: [],
    };
    await store.putResource("s", row);
    await store.addPending("s", { urn: "container.db", op: "create", id: "1", startedAt: "now", props: row.inputs });
    expect(JSON.stringify(await inner.load("s"))).not.toContain("hunter22");
    const loaded = await store.load("s");
    expect(loaded.resources[0].inputs).toEqual(row.inputs);
    expect(loaded.pending[0].props).toEqual(row.inputs);
  });

  it("remembers the values it opened, so a rotated secret stays masked as the plan's 'before'", async () => {
    const inner = new MemoryStore();
    const { cipher } = SecretsCipher.create({ kind: "passphrase", passphrase: "pw" });
    const row: ResourceState = { urn: "container.db", kind: "container", name: "db", id: "1", inputs: { env: { P: "old-secret" } }, outputs: {}, dependsOn: [] };
    await sealingStore(inner, cipher, new SecretSet(["old-secret"])).putResource("s", row);
    const rotated = new SecretSet(["new-secret"]);
    const redact = rotated.live();
    expect(redact.text("was old-secret")).toBe("was old-secret");
    await sealingStore(inner, cipher, rotated).load("s");
    expect(redact.text("was old-secret")).toBe(`was ${SENSITIVE}`);
  });
});
