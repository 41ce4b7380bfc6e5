/**
 * Image resources from each source through the real runtime: a registry ref (docker-registry on
 * 127.0.0.1:18406), an OCI layout, a docker-save archive (made by skopeo); the resolved manifest
 * digest is in outputs, and a busybox container runs from the pulled image.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { buildLayout, push, run } from "../fixtures/registry/oci-fixture.js";
import { RegistryServer } from "../fixtures/registry/registry-server.js";
import { has } from "../helpers/has-tool.js";


describe.skipIf(!has("docker-registry") || !has("skopeo") || !has("umoci"))("image sources through the runtime", () => {
  const temp = new TempRoots();
  const h = new RuntimeHarness();
  let registry: RegistryServer;
  let work: string;

  beforeAll(async () => {
    work = temp.make("src");
    registry = new RegistryServer(temp.make("regsrv"), 18406);
    await registry.start();
    buildLayout(work, "one", "first");
    push(work, "one", `${registry.host}/src/app:1`);
    run("skopeo", ["copy", "oci:layout:one", `docker-archive:${join(work, "save.tar")}:src/app:1`], work);
  }, 120_000);

  afterAll(async () => {
    await h.teardown();
    await registry?.stop();
    temp.cleanup();
  });

  it("ref: pulls, records the manifest digest, and a container runs from it", async () => {
    const image = await h.create("image", "pulled", { ref: `${registry.host}/src/app:1` });
    const inspected = JSON.parse(execFileSync("skopeo", ["inspect", "--tls-verify=false", `docker://${registry.host}/src/app:1`]).toString());
    expect(image.outputs.digest).toBe(inspected.Digest);
    expect(image.id).toMatch(/^sha256:/);
    expect(image.outputs.env).toMatchObject({ MARK: "first" });
    const box = await h.create("container", "reader", { image: { $ref: "image.pulled" }, command: ["cat", "/etc/marker"] } as never, [image]);
    await h.waitExit(box);
    expect(await h.logs(box)).toContain("first");
  });

  it("a digest ref with pullPolicy missing uses the stored image; read keeps the digest", async () => {
    const first = await h.create("image", "bytag", { ref: `${registry.host}/src/app:1` });
    const pinned = await h.create("image", "bydigest", { ref: `${registry.host}/src/app@${String(first.outputs.digest)}` });
    expect(pinned.id).toBe(first.id);
    expect(pinned.outputs.digest).toBe(first.outputs.digest);
    const live = await h.runtime.operations("image").read(h.ctx(), pinned as ResourceState);
    expect(live?.outputs.digest).toBe(first.outputs.digest);
  });

  it("ociLayout and archive give the same image as the registry", async () => {
    const pulled = await h.create("image", "again", { ref: `${registry.host}/src/app:1` });
    const fromLayout = await h.create("image", "layout", { ociLayout: join(work, "layout") });
    // The layout holds one image ("one"): the same config, so the same id.
    expect(fromLayout.id).toBe(pulled.id);
    expect(fromLayout.outputs.digest).toBe(fromLayout.id);
    const fromArchive = await h.create("image", "archive", { archive: join(work, "save.tar") });
    expect(fromArchive.id).toBe(pulled.id);
  });
});
