/**
 * Token auth against Debian's docker-registry (auth: token) on 127.0.0.1:18404, with a token server
 * on :18405: the challenge leads to the token endpoint, credentials come from $DOCKER_CONFIG's
 * config.json and go nowhere else; without them the pull fails with REGISTRY_AUTH.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openImageStore } from "../../provider/linux/images/index.js";
import { pullImage } from "../../provider/linux/images/registry/index.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { basicAuth, DockerConfigEnv, pushWithCredentials } from "../fixtures/registry/docker-config.js";
import { buildLayout } from "../fixtures/registry/oci-fixture.js";
import { RegistryServer } from "../fixtures/registry/registry-server.js";
import { TokenServer } from "../fixtures/registry/token-server.js";
import { has } from "../helpers/has-tool.js";

const user = { username: "alice", password: "s3cret" };

describe.skipIf(!has("docker-registry") || !has("skopeo") || !has("umoci") || !has("openssl"))("registry token auth", () => {
  const temp = new TempRoots();
  let tokens: TokenServer;
  let registry: RegistryServer;
  const dockerConfig = new DockerConfigEnv(temp);

  beforeAll(async () => {
    const dir = temp.make("tok");
    tokens = new TokenServer(dir, 18405, "cinfra-test-registry", "cinfra-test-issuer", user);
    await tokens.start();
    registry = new RegistryServer(temp.make("regsrv"), 18404, { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPath });
    await registry.start();
    const work = temp.make("reg");
    buildLayout(work, "one", "private");
    await pushWithCredentials(work, "one", `${registry.host}/team/app:1`, user);
  }, 120_000);

  afterEach(() => dockerConfig.restore());

  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    temp.cleanup();
  });

  it("gets a bearer token with the docker config.json credentials and pulls", async () => {
    dockerConfig.use({ [registry.host]: basicAuth(user) });
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
