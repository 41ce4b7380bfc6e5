import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configValues } from "../../provider/pulumi/provider-config.js";
import { CinfraProvider, parsePulumiUrn } from "../../provider/pulumi/provider.js";
import { isSecret, secret, UNKNOWN, type WireObject } from "../../provider/pulumi/wire-values.js";
import { FakeRuntime } from "../helpers/pulumi-fake-runtime.js";

const urn = (type: string, name: string) => `urn:pulumi:dev::shop::${type}::${name}`;
const IMAGE = urn("cinfra:index:Image", "busybox");
const NETWORK = urn("cinfra:index:Network", "backend");
const WEB = urn("cinfra:index:Container", "web");
const IMAGE_ID = `sha256:${"a".repeat(64)}`;

function setup() {
  const runtime = new FakeRuntime();
  let made = 0;
  const provider = new CinfraProvider(() => {
    made++;
    return runtime;
  }, {});
  provider.configure({ libRoot: "/tmp/cinfra-x/lib" });
  return { runtime, provider, made: () => made };
}

describe("Check", () => {
  const { provider } = setup();

  it("an Image with build gets the digest of its inputs; a changed file changes it; a bad Dockerfile fails with file:line", () => {
    const context = mkdtempSync(join(tmpdir(), "cinfra-pulumi-build-"));
    try {
      writeFileSync(join(context, "Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
      writeFileSync(join(context, "a.txt"), "1");
      const first = provider.check(IMAGE, { build: { context, args: { V: secret("x") } } });
      expect(first.failures).toEqual([]);
      const digest = (first.inputs.build as WireObject).inputDigest;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect((provider.check(IMAGE, { build: { context, args: { V: secret("x") } } }).inputs.build as WireObject).inputDigest).toBe(digest);
      writeFileSync(join(context, "a.txt"), "2");
      expect((provider.check(IMAGE, { build: { context, args: { V: secret("x") } } }).inputs.build as WireObject).inputDigest).not.toBe(digest);
      writeFileSync(join(context, "Dockerfile"), "FROM scratch\nCOPY a.txt /\nFOOBAR\n");
      expect(provider.check(IMAGE, { build: { context } }).failures).toEqual([
        { property: "build", reason: `${context}/Dockerfile:3: unknown instruction "FOOBAR"` },
      ]);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });

  it("returns canonical inputs, references as ids, defaults filled in", () => {
    const result = provider.check(WEB, {
      image: IMAGE_ID, limits: { memory: 67108864 }, networks: ["net1", { network: "net2", aliases: ["web"] }],
      ports: [{ host: 8080, container: 80 }], ulimits: { nofile: 1024 },
    });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      image: IMAGE_ID, limits: { memory: "64Mi" }, networks: [{ network: "net1" }, { network: "net2", aliases: ["web"] }],
      ports: [{ host: 8080, container: 80, protocol: "tcp", hostIp: "0.0.0.0" }], ulimits: { nofile: { soft: 1024, hard: 1024 } },
    });
  });

  it("reports the first validation error with a Pulumi property path", () => {
    expect(provider.check(WEB, { image: IMAGE_ID, networks: [{ network: "n", ipv4: "300.1.1.1" }] }).failures)
      .toEqual([{ property: "networks[0].ipv4", reason: '"300.1.1.1" is not an IPv4 address' }]);
    expect(provider.check(WEB, { image: IMAGE_ID, sysctls: { "kernel.domainname": "x" } }).failures[0].property).toBe('sysctls["kernel.domainname"]');
    expect(provider.check(WEB, { image: 42 }).failures[0]).toEqual({ property: "image", reason: "expected a image resource, got 42" });
  });

  it("carries a shared pid namespace as pidMode (the pid output keeps its name), and names pidMode in failures", () => {
    const checked = provider.check(WEB, { image: IMAGE_ID, pidMode: "container:db" });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toEqual({ image: IMAGE_ID, pidMode: "container:db" });
    expect(provider.check(WEB, { image: IMAGE_ID, pidMode: "container:db", init: true }).failures[0].property).toBe("pidMode");
    expect(provider.check(WEB, { image: IMAGE_ID, pidMode: "host" }).failures[0].property).toBe("pidMode");
  });

  it("rejects resource names the CLI would reject", () => {
    expect(provider.check(urn("cinfra:index:Volume", "Data Volume"), {}).failures).toHaveLength(1);
  });

  it("keeps secrets secret and defers checks of values not known yet", () => {
    const checked = provider.check(WEB, { image: IMAGE_ID, env: { TOKEN: secret("abc") } });
    expect(isSecret((checked.inputs.env as WireObject).TOKEN)).toBe(true);
    expect(provider.check(WEB, { image: UNKNOWN, workdir: UNKNOWN }).failures).toEqual([]);
    expect(provider.check(WEB, { image: UNKNOWN, workdir: "relative" }).failures[0].property).toBe("workdir");
  });

  it("refuses types that are not cinfra's", () => {
    expect(() => provider.check(urn("aws:s3:Bucket", "b"), {})).toThrow(/not a cinfra resource type/);
  });
});

describe("Diff", () => {
  const { provider } = setup();
  const olds = { image: IMAGE_ID, limits: { memory: "64Mi" }, command: ["sleep", "1"], sysctls: { "net.core.somaxconn": "128" } };

  it("says nothing changed for equal inputs, whatever the key order", () => {
    const news = { sysctls: { "net.core.somaxconn": "128" }, command: ["sleep", "1"], limits: { memory: "64Mi" }, image: IMAGE_ID };
    expect(provider.diff(WEB, olds, news, [])).toMatchObject({ changes: false, replaces: [], detailedDiff: {} });
  });

  it("updates live-updatable props in place and keeps the run state stable", () => {
    const diff = provider.diff(WEB, olds, { ...olds, limits: { memory: "96Mi", pids: 50 } }, []);
    expect(diff).toMatchObject({
      changes: true, replaces: [], diffs: ["limits"], deleteBeforeReplace: false,
      detailedDiff: { "limits.memory": { kind: "UPDATE", inputDiff: true }, "limits.pids": { kind: "ADD", inputDiff: true } },
    });
    expect(diff.stables).toEqual(expect.arrayContaining(["image", "command", "pid", "ipAddresses"]));
  });

  it("replaces for everything else, with quoted paths for dotted keys", () => {
    const diff = provider.diff(WEB, olds, { ...olds, sysctls: { "net.core.somaxconn": "256" }, command: undefined as never }, []);
    expect(diff.detailedDiff).toEqual({
      command: { kind: "DELETE_REPLACE", inputDiff: true },
      'sysctls["net.core.somaxconn"]': { kind: "UPDATE_REPLACE", inputDiff: true },
    });
    expect(diff.replaces.sort()).toEqual(["command", "sysctls"]);
    expect(diff.stables).not.toContain("pid");
  });

  it("replaces a container holding a host port by deleting it first", () => {
    const withPort = { ...olds, ports: [{ host: 8080, container: 80, protocol: "tcp", hostIp: "0.0.0.0" }] };
    expect(provider.diff(WEB, withPort, { ...withPort, command: ["true"] }, []).deleteBeforeReplace).toBe(true);
    expect(provider.diff(WEB, olds, { ...olds, command: ["true"] }, []).deleteBeforeReplace).toBe(false);
  });

  it("treats an unknown new value (a replaced dependency) as a change, and honours ignoreChanges", () => {
    expect(provider.diff(WEB, olds, { ...olds, image: UNKNOWN }, []).replaces).toEqual(["image"]);
    expect(provider.diff(WEB, olds, { ...olds, limits: { memory: "1Gi" } }, ["limits.memory"]).changes).toBe(false);
  });
});

describe("Create, Read, Update, Delete over the runtime", () => {
  it("previews without making the runtime at all", async () => {
    const { provider, made } = setup();
    const { id, properties } = await provider.create(WEB, { image: UNKNOWN, env: { A: secret("b") } }, true);
    expect(id).toBe("");
    expect(properties).toMatchObject({ image: UNKNOWN, pid: UNKNOWN, ipAddresses: UNKNOWN });
    expect(isSecret((properties.env as WireObject).A)).toBe(true);
    expect(made()).toBe(0);
  });

  it("creates with canonical props and the referenced resources read live by id", async () => {
    const { provider, runtime } = setup();
    const image = await provider.create(IMAGE, { rootfs: "/srv/rootfs", config: { env: { KEY: secret("very-secret") } } }, false);
    expect(isSecret((image.properties.env as WireObject).KEY)).toBe(true); // derived output
    const network = await provider.create(NETWORK, {}, false);
    const web = await provider.create(WEB, { image: image.id, networks: [{ network: network.id }] }, false);
    const create = runtime.calls.find((c) => c.op === "create" && c.kind === "container")!;
    expect(create.props).toEqual({ image: { $ref: `image.${image.id}` }, networks: [{ network: { $ref: `network.${network.id}` } }] });
    expect(create.deps).toEqual([`image.${image.id}`, `network.${network.id}`]);
    expect(create.stack).toBe("pulumi-shop-dev");
    expect(web.properties).toMatchObject({ image: image.id, networks: [{ network: network.id }], pid: 4242 });
    expect(web.properties.id).toBeUndefined();
  });

  it("creates a pid sharer: the core gets pid.container, Pulumi keeps both pidMode and the numeric pid output", async () => {
    const { provider, runtime } = setup();
    const image = await provider.create(IMAGE, { rootfs: "/srv/rootfs" }, false);
    const db = await provider.create(urn("cinfra:index:Container", "db"), { image: image.id }, false);
    const web = await provider.create(WEB, { image: image.id, pidMode: `container:${db.id}` }, false);
    const create = runtime.calls.filter((c) => c.op === "create" && c.kind === "container")[1];
    expect(create.props).toEqual({ image: { $ref: `image.${image.id}` }, pid: { container: { $ref: `container.${db.id}` } } });
    expect([...(create.deps ?? [])].sort()).toEqual([`container.${db.id}`, `image.${image.id}`]);
    expect(web.properties).toMatchObject({ pidMode: `container:${db.id}`, pid: 4242 });
  });

  it("fails a create whose dependency is gone, before touching anything", async () => {
    const { provider, runtime } = setup();
    await expect(provider.create(WEB, { image: IMAGE_ID }, false)).rejects.toThrow(/image sha256:a+ does not exist/);
    expect(runtime.calls.filter((c) => c.op === "create")).toEqual([]);
  });

  it("reads drift into the inputs, and reports a vanished object as gone", async () => {
    const { provider, runtime } = setup();
    const net = await provider.create(NETWORK, { subnet: "10.9.0.0/24" }, false);
    runtime.objects.get(net.id)!.props = { subnet: "10.9.0.0/24", mtu: 1400 };
    const read = await provider.read(NETWORK, net.id, net.properties, { subnet: "10.9.0.0/24" });
    expect(read?.inputs).toEqual({ subnet: "10.9.0.0/24", mtu: 1400 });
    runtime.objects.delete(net.id);
    expect(await provider.read(NETWORK, net.id, net.properties, { subnet: "10.9.0.0/24" })).toBeNull();
  });

  it("updates only what may change in place and refuses a replacement", async () => {
    const { provider, runtime } = setup();
    await provider.create(IMAGE, { rootfs: "/srv/rootfs" }, false);
    const olds = { image: IMAGE_ID, limits: { memory: "64Mi" } };
    const web = await provider.create(WEB, olds, false);
    const news = { image: IMAGE_ID, limits: { memory: "128Mi" } };
    const updated = await provider.update(WEB, web.id, web.properties, olds, news, { preview: false, ignoreChanges: [] });
    expect(updated).toMatchObject({ limits: { memory: "128Mi" }, pid: 4242 });
    expect(runtime.calls.at(-1)).toMatchObject({ op: "update", props: { image: { $ref: `image.${IMAGE_ID}` }, limits: { memory: "128Mi" } } });
    await expect(provider.update(WEB, web.id, web.properties, olds, { ...olds, command: ["x"] }, { preview: false, ignoreChanges: [] }))
      .rejects.toThrow(/command cannot change in place/);
  });

  it("deletes from the old inputs, or from the state when the engine sends none", async () => {
    const { provider, runtime } = setup();
    const net = await provider.create(NETWORK, { masquerade: true }, false);
    await provider.delete(NETWORK, net.id, net.properties, undefined);
    expect(runtime.calls.at(-1)).toMatchObject({ op: "delete", id: net.id, props: { masquerade: true } });
  });

  it("refuses new work after Cancel but still previews", async () => {
    const { provider } = setup();
    provider.cancel();
    await expect(provider.create(NETWORK, {}, false)).rejects.toThrow(/cancelled/);
    expect((await provider.create(NETWORK, {}, true)).id).toBe("");
  });
});

describe("provider configuration", () => {
  it("validates keys and values, and replaces everything when a root moves", () => {
    const { provider } = setup();
    expect(provider.checkConfig({ libRoot: "rel", linkPrefix: "cinfraTOOLONG", other: "x", version: "0.1.0" }).failures.map((f) => f.property))
      .toEqual(["libRoot", "linkPrefix", "other"]);
    expect(provider.diffConfig({ runRoot: "/run/a" }, { runRoot: "/run/b" })).toMatchObject({ changes: true, replaces: ["runRoot"] });
    expect(provider.diffConfig({}, {}).changes).toBe(false);
  });

  it("takes roots from Configure first, then the environment", () => {
    const provider = new CinfraProvider(() => new FakeRuntime(), { CINFRA_RUN_ROOT: "/run/from-env", CINFRA_LIB_ROOT: "/var/from-env" });
    provider.configure({ libRoot: secret("/var/from-config") });
    expect(provider.runtimeConfig()).toMatchObject({ libRoot: "/var/from-config", runRoot: "/run/from-env" });
    expect(() => provider.configure({ linkPrefix: "eth" })).toThrow(/linkPrefix/);
  });

  it("reads configuration from args, or from the variables map older engines send", () => {
    expect(configValues({ libRoot: "/a" }, new Map([["cinfra:config:libRoot", "/b"]]))).toEqual({ libRoot: "/a" });
    expect(configValues(undefined, new Map([["cinfra:config:runRoot", "/run/x"]]))).toEqual({ runRoot: "/run/x" });
  });

  it("parses URNs, parent types included", () => {
    expect(parsePulumiUrn("urn:pulumi:prod::shop::my:app:Stack$cinfra:index:Container::web")).toEqual({
      stack: "prod", project: "shop", type: "cinfra:index:Container", name: "web",
    });
  });
});
