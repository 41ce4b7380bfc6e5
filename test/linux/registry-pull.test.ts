/**
 * Pulls from Debian's docker-registry on 127.0.0.1 (ports 18400-18402), filled by skopeo from OCI
 * layouts umoci builds here: anonymous pulls, an already-present image costing exactly one manifest
 * request (counted by a proxy), a moved tag, a two-platform index, and Range resume.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openImageStore, type ImageStore } from "../../provider/linux/images/index.js";
import { pullImage, type PullProgress } from "../../provider/linux/images/registry/index.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { addPlatformIndex, buildLayout, push } from "../fixtures/registry/oci-fixture.js";
import { CountingProxy, RegistryServer } from "../fixtures/registry/registry-server.js";
import { has } from "../helpers/has-tool.js";


describe.skipIf(!has("docker-registry") || !has("skopeo") || !has("umoci"))("registry pull (docker-registry on 127.0.0.1)", () => {
  const temp = new TempRoots();
  let work: string;
  let registry: RegistryServer;
  let proxy: CountingProxy;
  const fresh = (): ImageStore => openImageStore(temp.make("lib"));

  beforeAll(async () => {
    work = temp.make("reg");
    registry = new RegistryServer(temp.make("regsrv"), 18400);
    await registry.start();
    proxy = new CountingProxy(18401, { host: "127.0.0.1", port: 18400 });
    await proxy.start();
    buildLayout(work, "one", "first");
    buildLayout(work, "two", "second", "one");
    addPlatformIndex(work, "multi", "one", "two");
    push(work, "one", `${registry.host}/test/app:1`);
    push(work, "multi", `${registry.host}/test/multi:1`, true);
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    temp.cleanup();
  });

  it("pulls an image anonymously; its layers and config match what skopeo pushed", async () => {
    const store = fresh();
    const events: PullProgress[] = [];
    const result = await pullImage(store, `${registry.host}/test/app:1`, { onProgress: (e) => events.push(e) });
    expect(result.downloaded).toBe(true);
    expect(result.image.names).toEqual([`${registry.host}/test/app:1`, `${registry.host}/test/app@${result.manifestDigest}`]);
    expect(result.image.config.Env).toContain("MARK=first");
    expect(result.image.layers).toHaveLength(2);
    const top = store.layerDir(result.image.layers[1]);
    expect(readFileSync(join(top, "etc/marker"), "utf8")).toBe("first");
    expect(events.find((e) => e.kind === "resolved")).toMatchObject({ layers: 2, missing: 2 });
    expect(events.filter((e) => e.kind === "layer-done")).toHaveLength(2);
    const inspected = JSON.parse(execFileSync("skopeo", ["inspect", "--tls-verify=false", `docker://${registry.host}/test/app:1`]).toString());
    expect(result.manifestDigest).toBe(inspected.Digest);
  });

  it("a pull of an image already present costs exactly one manifest request", async () => {
    const store = fresh();
    const ref = `${proxy.host}/test/app:1`;
    await pullImage(store, ref);
    const blobsBefore = proxy.count(/\/blobs\//);
    expect(blobsBefore).toBeGreaterThan(0);
    proxy.requests.length = 0;
    const again = await pullImage(store, ref);
    expect(again.downloaded).toBe(false);
    expect(proxy.requests).toEqual(["GET /v2/test/app/manifests/1"]);
  });

  it("pulls by digest, and shares layers with an image already stored", async () => {
    const store = fresh();
    const first = await pullImage(store, `${registry.host}/test/app:1`);
    const byDigest = await pullImage(store, `${registry.host}/test/app@${first.manifestDigest}`);
    expect(byDigest.image.id).toBe(first.image.id);
    expect(byDigest.image.names).toContain(`${registry.host}/test/app@${first.manifestDigest}`);
    await expect(pullImage(store, `${registry.host}/test/app@sha256:${"0".repeat(64)}`)).rejects.toMatchObject({ code: "IMAGE_NOT_FOUND" });
  });

  it("a moved tag resolves to the new digest; layers already stored are not downloaded again", async () => {
    const store = fresh();
    push(work, "one", `${registry.host}/test/moving:1`);
    const before = await pullImage(store, `${proxy.host}/test/moving:1`);
    push(work, "two", `${registry.host}/test/moving:1`);
    proxy.requests.length = 0;
    const after = await pullImage(store, `${proxy.host}/test/moving:1`);
    expect(after.manifestDigest).not.toBe(before.manifestDigest);
    expect(after.image.config.Env).toContain("MARK=second");
    // Only the config and the layers the first image did not have travel.
    expect(after.image.layers.slice(0, 2)).toEqual(before.image.layers);
    expect(proxy.count(/^GET \/v2\/test\/moving\/blobs\//)).toBe(2);
  });

  it("selects the platform from a two-platform index (default linux/amd64, or as asked)", async () => {
    const store = fresh();
    const amd = await pullImage(store, `${registry.host}/test/multi:1`, { platform: { os: "linux", architecture: "amd64" } });
    expect(amd.image.config.Env).toContain("MARK=first");
    const arm = await pullImage(store, `${registry.host}/test/multi:1`, { platform: { os: "linux", architecture: "arm64", variant: "v8" } });
    expect(arm.image.config.Env).toContain("MARK=second");
    await expect(pullImage(store, `${registry.host}/test/multi:1`, { platform: { os: "linux", architecture: "s390x" } }))
      .rejects.toMatchObject({ code: "IMAGE_NO_MATCHING_PLATFORM" });
  });

  it("a download cut mid-blob resumes with Range; without Range support it fails and stores nothing", async () => {
    const ref = `${proxy.host}/test/app:1`;
    const store = fresh();
    proxy.requests.length = 0;
    proxy.faults = { cutBlobsAfter: 1000, cutCount: 1, stripRange: false };
    const result = await pullImage(store, ref, { concurrency: 1, backoffMs: 10 });
    expect(result.downloaded).toBe(true);
    expect(proxy.requests.filter((line) => line.endsWith("bytes=1000-")), proxy.requests.join("\n")).toHaveLength(1);

    const other = fresh();
    proxy.faults = { cutBlobsAfter: 1000, cutCount: 1, stripRange: true };
    await expect(pullImage(other, ref, { concurrency: 1, backoffMs: 10 })).rejects.toMatchObject({ code: "REGISTRY_ERROR" });
    expect(other.listImages()).toEqual([]);
    expect(other.blobs.list()).toEqual([]);
    proxy.faults = { cutBlobsAfter: 0, cutCount: 0, stripRange: false };
  });

  it("an unknown repository is IMAGE_NOT_FOUND and leaves the store empty", async () => {
    const store = fresh();
    await expect(pullImage(store, `${registry.host}/test/nothing:1`)).rejects.toMatchObject({ code: "IMAGE_NOT_FOUND" });
    expect(store.listImages()).toEqual([]);
    expect(existsSync(join(store.root, "blobs")) ? store.blobs.list() : []).toEqual([]);
  });
});
