/**
 * Basic auth against Debian's docker-registry (auth: htpasswd) on 127.0.0.1:18414: the 401's Basic
 * challenge is answered with the credentials from $DOCKER_CONFIG's config.json, which never reach
 * the store; without them, or with a wrong password, the pull is REGISTRY_AUTH and stores nothing.
 * The bcrypt entry comes from python3's crypt (glibc's libxcrypt): no htpasswd package needed.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openImageStore } from "../../provider/linux/images/index.js";
import { pullImage } from "../../provider/linux/images/registry/index.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { basicAuth, DockerConfigEnv, pushWithCredentials } from "../fixtures/registry/docker-config.js";
import { buildLayout } from "../fixtures/registry/oci-fixture.js";
import { RegistryServer } from "../fixtures/registry/registry-server.js";
import { has } from "../helpers/has-tool.js";

const user = { username: "bob", password: "b4sic-s3cret" };

/** A bcrypt htpasswd line; the password goes through stdin, not argv. */
function htpasswdLine(username: string, password: string): string {
  const hash = execFileSync("python3", ["-W", "ignore", "-c", "import crypt, sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH)))"], { input: password, encoding: "utf8" }).trim();
  if (!hash.startsWith("$2")) throw new Error(`python3 crypt gave no bcrypt hash: ${hash}`);
  return `${username}:${hash}\n`;
}

describe.skipIf(!has("docker-registry") || !has("skopeo") || !has("umoci") || !has("python3"))("registry basic auth (htpasswd)", () => {
  const temp = new TempRoots();
  let registry: RegistryServer;
  const dockerConfig = new DockerConfigEnv(temp);

  beforeAll(async () => {
    const dir = temp.make("htregsrv");
    writeFileSync(join(dir, "htpasswd"), htpasswdLine(user.username, user.password));
    registry = new RegistryServer(dir, 18414, { htpasswd: join(dir, "htpasswd"), realm: "cinfra-test-basic" });
    await registry.start();
    const work = temp.make("htreg");
    buildLayout(work, "one", "basic");
    await pushWithCredentials(work, "one", `${registry.host}/team/basic:1`, user);
  }, 120_000);

  afterEach(() => dockerConfig.restore());

  afterAll(async () => {
    await registry?.stop();
    temp.cleanup();
  });

  it("answers the Basic challenge with config.json's credentials and pulls", async () => {
    dockerConfig.use({ [registry.host]: basicAuth(user) });
    const store = openImageStore(temp.make("lib"));
    const result = await pullImage(store, `${registry.host}/team/basic:1`);
    expect(result.downloaded).toBe(true);
    expect(result.image.config.Env).toContain("MARK=basic");
    expect(JSON.stringify(store.getImage(result.image.id))).not.toContain(user.password);
  });

  it("without credentials, or with a wrong password, the pull is REGISTRY_AUTH and stores nothing", async () => {
    for (const auths of [{}, { [registry.host]: basicAuth({ ...user, password: "wrong" }) }]) {
      dockerConfig.use(auths);
      const store = openImageStore(temp.make("lib"));
      await expect(pullImage(store, `${registry.host}/team/basic:1`, { attempts: 1 })).rejects.toMatchObject({ code: "REGISTRY_AUTH" });
      expect(store.listImages()).toEqual([]);
    }
  });
});
