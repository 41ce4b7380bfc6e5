/**
 * `cinfra images` through the real CLI against Debian's docker-registry on 127.0.0.1:18408:
 * pull, pull again (up to date), ls (text and --json), rm, prune; a stack over a tag that moves.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { buildLayout, push } from "../fixtures/registry/oci-fixture.js";
import { RegistryServer } from "../fixtures/registry/registry-server.js";
import { has } from "../helpers/has-tool.js";


describe.skipIf(!has("docker-registry") || !has("skopeo") || !has("umoci"))("cinfra images", () => {
  const temp = new TempRoots();
  let box: Sandbox;
  let registry: RegistryServer;
  let ref: string;
  let work: string;

  beforeAll(async () => {
    box = sandbox();
    registry = new RegistryServer(temp.make("regsrv"), 18408);
    await registry.start();
    work = temp.make("cli");
    buildLayout(work, "one", "first");
    ref = `${registry.host}/cli/app:1`;
    push(work, "one", ref);
  }, 120_000);

  afterAll(async () => {
    if (box) cinfra(box, "destroy", "--stack", "pulled", "--yes");
    if (box) rmSync(box.runRoot, { recursive: true, force: true });
    await registry?.stop();
    temp.cleanup();
    if (box) rmSync(box.dir, { recursive: true, force: true });
  });

  it("pulls, is up to date the second time, lists, removes and prunes", () => {
    const pulled = cinfra(box, "images", "pull", ref);
    expect(pulled.stderr).toBe("");
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toMatch(/2 of 2 layers to fetch/);
    expect(pulled.stdout).toMatch(/^pulled: .* -> image sha256:[0-9a-f]{64}$/m);

    const again = cinfra(box, "images", "pull", ref);
    expect(again.stdout).toMatch(/^up to date: /m);

    const listed = JSON.parse(cinfra(box, "images", "ls", "--json").stdout) as Array<{ id: string; names: string[]; layers: number }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ names: [ref, expect.stringMatching(/\/cli\/app@sha256:[0-9a-f]{64}$/)], layers: 2 });
    expect(cinfra(box, "images", "ls").stdout).toContain(ref);

    const missing = cinfra(box, "images", "rm", "sha256:ffffffffffff");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no image/);

    const removed = cinfra(box, "images", "rm", listed[0].id.slice(7, 19));
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/removed sha256:[0-9a-f]{64} \(2 layers/);
    expect(JSON.parse(cinfra(box, "images", "ls", "--json").stdout)).toEqual([]);
    expect(cinfra(box, "images", "prune").stdout).toMatch(/^pruned 0 layers, 0 blobs$/m);
  });

  it("loads an OCI layout and a docker-save archive, imports a rootfs", () => {
    execFileSync("skopeo", ["copy", "oci:layout:one", `docker-archive:${join(work, "save.tar")}:cli/app:1`], { cwd: work, stdio: "ignore" });
    const fromLayout = cinfra(box, "images", "load", join(work, "layout"));
    expect(fromLayout.code).toBe(0);
    const id = /loaded (sha256:[0-9a-f]{64})/.exec(fromLayout.stdout)?.[1];
    expect(id).toBeDefined();
    expect(cinfra(box, "images", "load", join(work, "save.tar")).stdout).toContain(`loaded ${id}`);
    const imported = cinfra(box, "images", "import", join(work, "b-one/rootfs"));
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported sha256:[0-9a-f]{64}$/m);
    const removed = cinfra(box, "images", "rm", String(id));
    expect(removed.code).toBe(0);
    expect(cinfra(box, "images", "rm", /imported (\S+)/.exec(imported.stdout)?.[1] ?? "").code).toBe(0);
  });

  it("an unchanged stack over an unchanged image plans no changes: after apply, after a re-pull, with --refresh", () => {
    const stack = join(box.dir, "pulled.ts");
    writeFileSync(stack, `import { Container, Image } from "cinfra";
const image = new Image("app", { ref: "${ref}" });
new Container("reader", { image, command: ["sleep", "3600"], init: true });
`);
    const plan = (...extra: string[]) => cinfra(box, "plan", stack, "--stack", "pulled", "--detailed-exitcode", ...extra);
    const applied = cinfra(box, "apply", stack, "--stack", "pulled", "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(plan().code).toBe(0);
    expect(cinfra(box, "images", "pull", ref).stdout).toMatch(/^up to date: /m);
    expect(plan().code).toBe(0);
    const refreshed = plan("--refresh");
    expect(refreshed.stdout + refreshed.stderr).not.toMatch(/image\.app.*~|replace/);
    expect(refreshed.code).toBe(0);
    // The container holds the image: rm refuses it.
    const id = (JSON.parse(cinfra(box, "images", "ls", "--json").stdout) as Array<{ id: string }>)[0].id;
    const refused = cinfra(box, "images", "rm", id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/in use/);
  });

  it("a tag moved in the registry plans as the image's replacement (pullPolicy always), then settles", () => {
    const moving = `${registry.host}/cli/moving:1`;
    buildLayout(work, "first-build", "first");
    push(work, "first-build", moving);
    const stack = join(box.dir, "moving.ts");
    writeFileSync(stack, `import { Container, Image } from "cinfra";
const image = new Image("app", { ref: "${moving}", pullPolicy: "always" });
new Container("reader", { image, command: ["sleep", "3600"], init: true });
`);
    const plan = () => cinfra(box, "plan", stack, "--stack", "moving", "--detailed-exitcode");
    expect(cinfra(box, "apply", stack, "--stack", "moving", "--yes").code).toBe(0);
    expect(plan().code).toBe(0);

    buildLayout(work, "second-build", "second", "first-build");
    push(work, "second-build", moving);
    const moved = plan();
    expect(moved.code).toBe(2);
    expect(moved.stdout).toMatch(/image\.app must be replaced/);
    expect(moved.stdout).toMatch(/~ digest += "sha256:[0-9a-f]{64}" -> "sha256:[0-9a-f]{64}" # forces replacement/);
    expect(moved.stdout).toMatch(/container\.reader must be replaced/);
    expect(cinfra(box, "apply", stack, "--stack", "moving", "--yes").code).toBe(0);
    expect(cinfra(box, "exec", "--stack", "moving", "reader", "--", "cat", "/etc/marker").stdout).toBe("second");
    expect(plan().code).toBe(0);
    expect(cinfra(box, "destroy", stack, "--stack", "moving", "--yes").code).toBe(0);
  });

  it("saves an OCI archive that skopeo and umoci read and that loads back as the same image", () => {
    expect(cinfra(box, "images", "pull", ref).code).toBe(0);
    const archive = join(work, "saved.tar");
    const saved = cinfra(box, "images", "save", ref, "-o", archive);
    expect(saved.stderr).toBe("");
    const id = /saved (sha256:[0-9a-f]{64})/.exec(saved.stdout)?.[1];
    expect(id).toBeDefined();
    const [details] = JSON.parse(cinfra(box, "images", "inspect", ref).stdout) as Array<{ Id: string; RepoTags: string[]; RepoDigests: string[]; RootFS: { Layers: string[] } }>;
    expect(details).toMatchObject({ Id: id, RepoTags: [ref] });
    expect(details.RepoDigests[0]).toMatch(/@sha256:/);
    expect(details.RootFS.Layers).toHaveLength(2);
    const inspected = JSON.parse(execFileSync("skopeo", ["inspect", "--raw", `oci-archive:${archive}`], { encoding: "utf8" })) as { config: { digest: string }; layers: unknown[] };
    expect(inspected.config.digest).toBe(id);
    expect(inspected.layers).toHaveLength(2);
    execFileSync("skopeo", ["copy", `oci-archive:${archive}`, `oci:${join(work, "resaved")}:copy`], { stdio: "ignore" });
    execFileSync("umoci", ["unpack", "--image", `${join(work, "resaved")}:copy`, join(work, "resaved-bundle")], { stdio: "ignore" });
    expect(execFileSync("sh", ["-c", `ls ${join(work, "resaved-bundle/rootfs/bin")} | head -1`], { encoding: "utf8" }).trim()).not.toBe("");
    // Into an empty store (this one's image is held by the earlier test's container): the same image id.
    const fresh = sandbox();
    try {
      expect(cinfra(fresh, "images", "load", archive).stdout).toContain(`loaded ${id}`);
    } finally {
      rmSync(fresh.dir, { recursive: true, force: true });
      rmSync(fresh.runRoot, { recursive: true, force: true });
    }
  });
});
