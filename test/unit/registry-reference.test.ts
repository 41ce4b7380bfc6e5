/** Reference parsing, the loopback-only http rule, challenge parsing and docker config.json lookup. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { credentialsFor, parseChallenge } from "../../provider/linux/images/registry/auth.js";
import { parsePlatform } from "../../provider/linux/images/registry/platform.js";
import { parseReference, registryBaseUrl } from "../../provider/linux/images/registry/reference.js";

describe("image references", () => {
  it("splits registry, repository, tag and digest", () => {
    expect(parseReference("127.0.0.1:18400/team/app:1")).toEqual({ registry: "127.0.0.1:18400", repository: "team/app", tag: "1" });
    expect(parseReference("alpine")).toEqual({ registry: "docker.io", repository: "library/alpine", tag: "latest" });
    expect(parseReference("docker.io/library/alpine:3.20").tag).toBe("3.20");
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseReference(`localhost:5000/x@${digest}`)).toEqual({ registry: "localhost:5000", repository: "x", digest });
    expect(parseReference(`r.example/x:t@${digest}`)).toMatchObject({ tag: "t", digest });
  });

  it("names the property in errors", () => {
    expect(() => parseReference("Bad/Name:1", "image.ref")).toThrow(/image\.ref: "Bad\/Name:1" has an invalid repository name/);
    expect(() => parseReference("x@sha256:12", "ref")).toThrow(/not sha256/);
  });

  it("uses http only for loopback registries", () => {
    expect(registryBaseUrl("127.0.0.1:18400")).toBe("http://127.0.0.1:18400");
    expect(registryBaseUrl("localhost:5000")).toBe("http://localhost:5000");
    expect(registryBaseUrl("registry.example:5000")).toBe("https://registry.example:5000");
    expect(registryBaseUrl("docker.io")).toBe("https://registry-1.docker.io");
  });

  it("parses platforms", () => {
    expect(parsePlatform("linux/arm64/v8")).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
    expect(() => parsePlatform("linux")).toThrow(/os\/arch/);
  });
});

describe("registry auth", () => {
  it("parses Bearer and Basic challenges", () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual({
      scheme: "bearer", params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull" },
    });
    expect(parseChallenge('Basic realm="basic-realm"')).toEqual({ scheme: "basic", params: { realm: "basic-realm" } });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it("reads auths from $DOCKER_CONFIG/config.json (auth or username/password)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cinfra-dockercfg-"));
    try {
      writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: {
        "127.0.0.1:18400": { auth: Buffer.from("alice:pa:ss").toString("base64") },
        "https://index.docker.io/v1/": { username: "bob", password: "pw" },
      } }));
      const env = { DOCKER_CONFIG: dir };
      expect(credentialsFor("127.0.0.1:18400", env)).toEqual({ username: "alice", password: "pa:ss" });
      expect(credentialsFor("docker.io", env)).toEqual({ username: "bob", password: "pw" });
      expect(credentialsFor("other.example", env)).toBeUndefined();
      expect(credentialsFor("x", { DOCKER_CONFIG: join(dir, "none") })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
