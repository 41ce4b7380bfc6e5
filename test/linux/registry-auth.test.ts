/**
 * Token auth against Debian's docker-registry (auth: token) on 127.0.0.1:18404, with a token server
 * on :18405: the challenge leads to the token endpoint, credentials come from $DOCKER_CONFIG's
 * config.json and go nowhere else; without them the pull fails with REGISTRY_AUTH.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openImageStore } from "../../provider/linux/images/index.js";
import { pullImage } from "../../provider/linux/images/registry/index.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { buildLayout } from "../fixtures/registry/oci-fixture.js";
import { RegistryServer } from "../fixtures/registry/registry-server.js";
import { TokenServer } from "../fixtures/registry/token-server.js";
import { has } from "../helpers/has-tool.js";

const user = { username: "alice", password: "s3cret" };

describe.skipIf(!has("docker-registry") || !has("skopeo") || !has("umoci") || !has("openssl"))("registry token auth", () => {
  const temp = new TempRoots();
  let tokens: TokenServer;
  let registry: RegistryServer;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  beforeAll(async () => {
    const dir = temp.make("tok");
    tokens = new TokenServer(dir, 18405, "cinfra-test-registry", "cinfra-test-issuer", user);
    await tokens.start();
    registry = new RegistryServer(temp.make("regsrv"), 18404, { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPath });
    await registry.start();
    const work = temp.make("reg");
    buildLayout(work, "one", "private");
    // Async: the token server answering skopeo lives in this process.
    await promisify(execFile)("skopeo", ["copy", "--dest-tls-verify=false", "--dest-creds", `${user.username}:${user.password}`, "oci:layout:one", `docker://${registry.host}/team/app:1`], { cwd: work });
  }, 120_000);

  afterEach(() => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    temp.cleanup();
  });

  it("gets a bearer token with the docker config.json credentials and pulls", async () => {
    const config = temp.make("dockercfg");
    writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${user.username}:${user.password}`).toString("base64") } } }));
    process.env.DOCKER_CONFIG = config;
    const store = openImageStore(temp.make("lib"));
    const result = await pullImage(store, `${registry.host}/team/app:1`);
    expect(result.image.config.Env).toContain("MARK=private");
    expect(tokens.issued).toContain("repository:team/app:pull");
    expect(JSON.stringify(store.getImage(result.image.id))).not.toContain(user.password);
  });

  it("without credentials the token endpoint refuses and the pull is REGISTRY_AUTH", async () => {
    process.env.DOCKER_CONFIG = temp.make("emptycfg");
    const store = openImageStore(temp.make("lib"));
    await expect(pullImage(store, `${registry.host}/team/app:1`)).rejects.toMatchObject({ code: "REGISTRY_AUTH" });
    expect(store.listImages()).toEqual([]);
  });
});
