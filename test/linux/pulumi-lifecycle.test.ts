/**
 * The Pulumi plugin driven as the engine drives it (binary started, port read from stdout, gRPC with
 * Pulumi's protos), through a whole lifecycle on the real runtime, with assertions on the messages
 * and on the host: processes, cgroup files, links, directories.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerPaths } from "../../provider/linux/resources/container-paths.js";
import { isSecret, secret, UNKNOWN, type WireObject } from "../../provider/pulumi/wire-values.js";
import { processAlive } from "../helpers/leaks.js";
import { buildPulumiPlugin } from "../helpers/pulumi-build.js";
import { PulumiEngine } from "../helpers/pulumi-engine.js";
import { PulumiSandbox } from "../helpers/pulumi-sandbox.js";

const IMAGE = "cinfra:index:Image";
const VOLUME = "cinfra:index:Volume";
const NETWORK = "cinfra:index:Network";
const CONTAINER = "cinfra:index:Container";
const MiB = 2 ** 20;

const box = new PulumiSandbox();
let engine: PulumiEngine;
const ids: Record<string, string> = {};
const state: Record<string, WireObject> = {};
let web: WireObject; // the container's checked inputs, as the program declares them

const links = () => execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).split("\n")
  .map((line) => line.split(": ")[1]?.split("@")[0] ?? "").filter((name) => name.startsWith(`cinfra${box.tag}`));
const containerDirs = () => (existsSync(join(box.config.libRoot, "containers")) ? readdirSync(join(box.config.libRoot, "containers")) : []);

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  await buildPulumiPlugin();
  engine = await PulumiEngine.launch(box.pluginEnv());
});

afterAll(async () => {
  await engine?.close();
  expect(await box.teardown("pulumi-cinfra-test-dev")).toEqual([]);
});

describe("pulumi-resource-cinfra over gRPC, on the real runtime", () => {
  it("serves its version and the package schema", async () => {
    expect(await engine.pluginVersion()).toBe("0.1.0");
    const schema = await engine.schema();
    expect(Object.keys(schema.resources as object).sort()).toEqual([CONTAINER, IMAGE, NETWORK, VOLUME]);
  });

  it("checks, diffs and applies the provider configuration", async () => {
    const bad = await engine.checkConfig({ ...box.providerConfig(), linkPrefix: "eth", libRoot: "relative" });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["libRoot", "linkPrefix"]);
    expect((await engine.checkConfig(box.providerConfig())).failures).toEqual([]);
    const moved = await engine.diffConfig(box.providerConfig(), { ...box.providerConfig(), libRoot: "/var/tmp/elsewhere" });
    expect(moved).toMatchObject({ changes: "DIFF_SOME", replaces: ["libRoot"] });
    const configured = await engine.configure(box.providerConfig());
    expect(configured).toMatchObject({ acceptsecrets: true, supportspreview: true, acceptresources: false });
  });

  it("previews without touching the host", async () => {
    const image = await engine.check(IMAGE, "busybox", { rootfs: join(box.dir, "rootfs") });
    const preview = await engine.create(IMAGE, "busybox", image.inputs, true);
    expect(preview.id).toBe("");
    expect(preview.properties.layers).toBe(UNKNOWN);
    const container = await engine.check(CONTAINER, "web", { image: UNKNOWN, limits: { memory: "64Mi" } });
    expect(container.failures).toEqual([]);
    expect((await engine.create(CONTAINER, "web", container.inputs, true)).properties.pid).toBe(UNKNOWN);
    expect(existsSync(box.config.libRoot)).toBe(false);
    expect(links()).toEqual([]);
  });

  it("creates an image, a network and a volume (a secret label stays secret)", async () => {
    box.rootfs();
    const image = await engine.create(IMAGE, "busybox", (await engine.check(IMAGE, "busybox", { rootfs: join(box.dir, "rootfs") })).inputs);
    ids.image = image.id;
    box.created.push({ kind: "image", id: image.id, name: "busybox" });
    expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.properties.layers).toHaveLength(1);

    const network = await engine.create(NETWORK, "backend", (await engine.check(NETWORK, "backend", {})).inputs);
    ids.network = network.id;
    box.created.push({ kind: "network", id: network.id, name: "backend" });
    expect(links()).toContain(network.properties.bridge);
    expect(network.properties.subnet).toMatch(/^10\.213\.\d+\.0\/24$/);

    const checked = await engine.check(VOLUME, "data", { labels: { owner: secret("team-42") } });
    expect(isSecret((checked.inputs.labels as WireObject).owner)).toBe(true);
    const volume = await engine.create(VOLUME, "data", checked.inputs);
    ids.volume = volume.id;
    state.volume = volume.properties;
    box.created.push({ kind: "volume", id: volume.id, name: "data" });
    expect(isSecret((volume.properties.labels as WireObject).owner)).toBe(true);
    expect(existsSync(String(volume.properties.mountpoint))).toBe(true);
  });

  it("returns bad inputs as check failures with property paths, and keeps serving", async () => {
    const failures = async (news: WireObject) => (await engine.check(CONTAINER, "bad", news)).failures;
    expect(await failures({ image: ids.image, limits: { memory: "lots" } })).toEqual([
      { property: "limits.memory", reason: expect.stringContaining("is not a size") },
    ]);
    expect((await failures({ image: ids.image, sysctls: { "kernel.hostname": "x" } }))[0].property).toBe('sysctls["kernel.hostname"]');
    expect((await failures({ image: ids.image, bogus: 1 }))[0].property).toBe("bogus");
    expect((await failures({ command: ["sh"] }))[0].property).toBe("image");
    expect((await engine.check(CONTAINER, "Not A Name", { image: ids.image })).failures).toHaveLength(1);
    expect(await engine.pluginVersion()).toBe("0.1.0");
  });

  it("creates a container from the others' ids, with its limits, network, volume and a secret env", async () => {
    const checked = await engine.check(CONTAINER, "web", {
      image: ids.image,
      command: ["sh", "-c", "echo hi > /data/hello; exec sleep 1000"],
      env: { TOKEN: secret("s3cret-token") },
      limits: { memory: "64Mi" },
      stopTimeout: 1,
      networks: [{ network: ids.network, aliases: ["web"] }],
      mounts: [{ volume: ids.volume, target: "/data" }],
    });
    expect(checked.failures).toEqual([]);
    web = checked.inputs;
    const created = await engine.create(CONTAINER, "web", web);
    ids.container = created.id;
    state.container = created.properties;
    box.created.push({ kind: "container", id: created.id, name: "web" });

    expect(processAlive(Number(created.properties.pid))).toBe(true);
    expect(box.memoryLimit(created.id)).toBe(64 * MiB);
    expect((created.properties.ipAddresses as WireObject)[ids.network]).toMatch(/^10\.213\./);
    expect(isSecret((created.properties.env as WireObject).TOKEN)).toBe(true);
    const hello = join(String(state.volume.mountpoint), "hello");
    await until(() => existsSync(hello), "the container's write into its volume");
    expect(readFileSync(hello, "utf8")).toBe("hi\n");
  });

  it("reads live state that matches the program: no diff", async () => {
    const read = await engine.read(CONTAINER, "web", ids.container, state.container, web);
    expect(read.id).toBe(ids.container);
    expect(read.properties.pid).toBe(state.container.pid);
    expect((await engine.diff(CONTAINER, "web", ids.container, read.properties, web, read.inputs)).changes).toBe("DIFF_NONE");
  });

  it("diffs a live-updatable change in place and a command change as a replacement", async () => {
    const bigger = { ...web, limits: { memory: "96Mi" } };
    const inPlace = await engine.diff(CONTAINER, "web", ids.container, state.container, bigger, web);
    expect(inPlace).toMatchObject({ changes: "DIFF_SOME", replaces: [], detailedDiff: { "limits.memory": "UPDATE" }, deleteBeforeReplace: false });
    expect(inPlace.stables).toEqual(expect.arrayContaining(["image", "ipAddresses", "pid"]));

    const other = { ...web, command: ["sleep", "5"] };
    const replace = await engine.diff(CONTAINER, "web", ids.container, state.container, other, web);
    expect(replace).toMatchObject({ changes: "DIFF_SOME", replaces: ["command"], detailedDiff: { command: "UPDATE_REPLACE" } });
    expect(replace.stables).not.toContain("pid");
  });

  it("updates the memory limit in place: same process, new cgroup limit", async () => {
    const bigger = (await engine.check(CONTAINER, "web", { ...web, limits: { memory: "96Mi" } })).inputs;
    const previewed = await engine.update(CONTAINER, "web", ids.container, state.container, bigger, web, true);
    expect((previewed.limits as WireObject).memory).toBe("96Mi");
    expect(box.memoryLimit(ids.container)).toBe(64 * MiB); // a preview changes nothing on the host
    const updated = await engine.update(CONTAINER, "web", ids.container, state.container, bigger, web);
    expect(updated.pid).toBe(state.container.pid);
    expect((updated.limits as WireObject).memory).toBe("96Mi");
    expect(box.memoryLimit(ids.container)).toBe(96 * MiB);
    expect(isSecret((updated.env as WireObject).TOKEN)).toBe(true);
    state.container = updated;
    web = bigger;
  });

  it("shows drift after the container's limit was changed behind its back", async () => {
    writeFileSync(box.memoryFile(ids.container), String(128 * MiB));
    const read = await engine.read(CONTAINER, "web", ids.container, state.container, web);
    expect((read.inputs.limits as WireObject).memory).toBe("128Mi");
    const drift = await engine.diff(CONTAINER, "web", ids.container, read.properties, web, read.inputs);
    expect(drift).toMatchObject({ changes: "DIFF_SOME", replaces: [], detailedDiff: { "limits.memory": "UPDATE" } });
  });

  it("leaves nothing behind when a create fails halfway (after its cgroup, veth and lease)", async () => {
    const leases = () => readdirSync(join(box.config.libRoot, "networks", ids.network, "leases")).filter((f) => !f.startsWith("."));
    const before = { dirs: containerDirs(), links: links(), leases: leases() };
    const broken = (await engine.check(CONTAINER, "broken", {
      image: ids.image, command: ["/does-not-exist"], networks: [{ network: ids.network }], limits: { memory: "32Mi" },
    })).inputs;
    await expect(engine.create(CONTAINER, "broken", broken)).rejects.toMatchObject({ details: expect.stringMatching(/did not start: execve.*ENOENT/) });
    expect(containerDirs()).toEqual(before.dirs);
    expect(links()).toEqual(before.links);
    expect(leases()).toEqual(before.leases);
    const parent = join(box.config.cgroupRoot, "memory", box.config.cgroupParent);
    const cgroups = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(cgroups).toEqual([ids.container]);
  });

  it("deletes everything, and the host shows it", async () => {
    const pid = Number(state.container.pid);
    await engine.delete(CONTAINER, "web", ids.container, state.container, web);
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(containerPaths(box.config, ids.container).dir)).toBe(false);
    await engine.delete(VOLUME, "data", ids.volume, state.volume, { labels: { owner: secret("team-42") } });
    expect(existsSync(String(state.volume.mountpoint))).toBe(false);
    await engine.delete(NETWORK, "backend", ids.network, {}, {});
    await engine.delete(IMAGE, "busybox", ids.image, {}, { rootfs: join(box.dir, "rootfs") });
    expect(links()).toEqual([]);
    expect((await engine.read(NETWORK, "backend", ids.network, {}, {})).id).toBe("");
  });

  it("refuses new operations after Cancel", async () => {
    await engine.cancel();
    const image = (await engine.check(IMAGE, "late", { rootfs: join(box.dir, "rootfs") })).inputs;
    await expect(engine.create(IMAGE, "late", image)).rejects.toThrow(/cancelled/);
  });
});
