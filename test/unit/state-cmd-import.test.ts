import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMAS } from "../../core/kinds/index.js";
import { RESOURCE_BRAND } from "../../core/model/check.js";
import type { ResourceState } from "../../core/model/types.js";
import { decodeSpec, type ContainerFacts } from "../../cli/commands/import-container-facts.js";
import { declareContainer, declaredProps, RefTo } from "../../cli/commands/import-declaration.js";
import { identifierFor, renderContainer } from "../../cli/commands/import-typescript.js";
import { writeDeclaration } from "../../cli/commands/import-write.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { effectiveArgs, effectiveEnv, type ContainerInputs, type ImageDefaults } from "../../provider/linux/resources/container-inputs.js";
import { containerPaths } from "../../provider/linux/resources/container-paths.js";
import { buildSpec } from "../../provider/linux/resources/container-spec.js";
import { encodeSpec } from "../../provider/linux/supervise/spec.js";
import { AUTO_BASE, AUTO_SIZE } from "../../provider/linux/resources/userns.js";

const dir = mkdtempSync(join(tmpdir(), "cinfra-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ref = (kind: string, name: string) => ({ [RESOURCE_BRAND]: true, kind, name, urn: `${kind}.${name}` });
const MOUNTPOINT = "/var/lib/cinfra/volumes/v1/_data";
const rows: ResourceState[] = [
  { urn: "image.app", kind: "image", name: "app", id: "sha256:img", inputs: {}, outputs: {}, dependsOn: [] },
  { urn: "network.front-net", kind: "network", name: "front-net", id: "net-id", inputs: {}, outputs: {}, dependsOn: [] },
  { urn: "volume.data", kind: "volume", name: "data", id: "v1", inputs: {}, outputs: { mountpoint: MOUNTPOINT }, dependsOn: [] },
];
const AUTO_RANGE = { containerId: 0, hostId: AUTO_BASE + 3 * AUTO_SIZE, size: AUTO_SIZE };
const image: ImageDefaults = { entrypoint: ["/entry.sh"], cmd: ["serve"], env: { PATH: "/bin", LANG: "C" } };

/** The container as the runtime would run it: the real spec builder and encoder, then the import's decoder. */
function factsFor(args: Record<string, unknown>, id = "c0ffee"): { facts: ContainerFacts; props: ReturnType<typeof SCHEMAS.container.normalize> } {
  const props = SCHEMAS.container.normalize(args, "container.web");
  const inputs = props as unknown as ContainerInputs;
  const config = defaultRuntimeConfig({});
  const paths = containerPaths(config, id);
  const hostname = inputs.hostname ?? "web";
  const spec = buildSpec({
    id, paths, lowerDirs: ["/layers/1"], hostname, user: { uid: 0, gid: 0 }, inputs,
    args: effectiveArgs(inputs, image), env: effectiveEnv(inputs, image, hostname), cwd: inputs.workdir ?? "/",
    cgroupProcs: [], volumes: () => MOUNTPOINT, devices: [],
    shared: { net: inputs.network === "host" ? { kind: "host" } : { kind: "own" } },
    userns: inputs.userns === "auto" ? { uidMap: [AUTO_RANGE], gidMap: [AUTO_RANGE] } : inputs.userns,
  });
  const facts: ContainerFacts = {
    owner: { stack: "demo", kind: "container", name: "web", id, createdAt: "t" },
    spec: decodeSpec(encodeSpec(spec)), dir: paths.dir, stateDir: paths.stateDir,
    image: { id: "sha256:img", config: {}, layers: [], diffIds: [], names: ["app"], createdAt: "t" }, lowerDirs: ["/layers/1"],
    attachments: (inputs.networks ?? []).map((n) => ({
      networkId: "net-id", networkName: "front-net", ip: "10.0.0.2", prefix: 24, gateway: "10.0.0.1", hostIf: "x", ifName: "eth0", aliases: n.aliases ?? [],
    })),
    ports: [],
  };
  return { facts, props };
}

describe("import: from a running container back to its declaration", () => {
  it("rebuilds the props of a richly declared container from its spec", () => {
    const args = {
      image: ref("image", "app"), command: ["serve", "--port", "80"], env: { MODE: "prod" }, workdir: "/app", hostname: "api", init: true,
      limits: { memory: "64Mi", pids: 64 }, networks: [{ network: ref("network", "front-net"), aliases: ["www"] }],
      mounts: [{ volume: ref("volume", "data"), target: "/data", readOnly: true }, { hostPath: "/etc/ssl", target: "/ssl" }],
      tmpfs: ["/scratch", { target: "/cache", size: "16Mi", mode: 0o700 }], restart: "always",
      capabilities: { add: ["NET_ADMIN"], drop: ["MKNOD"] }, readOnlyRootfs: true, noNewPrivileges: false,
      sysctls: { "net.ipv4.ip_forward": "1" }, ulimits: { nofile: { soft: 1024, hard: 4096 }, nproc: 100 }, seccomp: "unconfined",
      shmSize: "128Mi",
    };
    const { facts, props } = factsFor(args);
    const declared = declareContainer(facts, "web", "demo", rows, image, { restart: "always", limits: { memory: "64Mi", pids: 64 } }, undefined);
    expect(declaredProps(declared, "web")).toEqual(props);
  });

  it("rebuilds userns: auto for a pool range, the maps otherwise, without cinfra's own port sysctl", () => {
    for (const userns of ["auto", { uidMap: [{ containerId: 0, hostId: 200000, size: 1000 }], gidMap: [{ containerId: 0, hostId: 300000, size: 1000 }] }]) {
      const { facts, props } = factsFor({ image: ref("image", "app"), userns });
      expect(facts.spec.sysctls).toEqual({ "net.ipv4.ip_unprivileged_port_start": "0" });
      expect(declaredProps(declareContainer(facts, "web", "demo", rows, image, { restart: "no" }, undefined), "web")).toEqual(props);
    }
  });

  it("leaves out what the image and cinfra's defaults already give", () => {
    const { facts } = factsFor({ image: ref("image", "app") });
    const declared = declareContainer(facts, "web", "demo", rows, image, { restart: "no" }, undefined);
    expect(Object.keys(declared)).toEqual(["image"]);
    expect(declaredProps(declared, "web")).toEqual({ image: { $ref: "image.app" } });
  });

  it("says which dependency must be applied first", () => {
    const { facts } = factsFor({ image: ref("image", "app"), networks: [ref("network", "front-net")] });
    expect(() => declareContainer(facts, "web", "demo", rows.slice(0, 1), image, {}, undefined)).toThrow(/network "front-net".*not in stack "demo": apply that Network first/);
    expect(() => declareContainer(facts, "web", "demo", [], image, {}, undefined)).toThrow(/not in stack "demo": declare that Image/);
  });
});

describe("import: the TypeScript it prints and writes", () => {
  const args = { image: new RefTo("image.app"), command: ["sh", "-c", "echo \"hi\""], env: { "MY-VAR": "x" }, networks: [new RefTo("network.front-net")] };

  it("prints a declaration with variables for references", () => {
    expect(identifierFor("network.front-net")).toBe("frontNet");
    expect(renderContainer("web", args)).toBe(
      'new Container("web", {\n  image: app,\n  command: ["sh", "-c", "echo \\"hi\\""],\n  env: { "MY-VAR": "x" },\n  networks: [frontNet],\n});\n');
  });

  it("writes it into the program with the program's own variable names, importing Container", async () => {
    const file = join(dir, "stack.ts");
    writeFileSync(file, 'import { Image, Network } from "cinfra";\nconst base = new Image("app", { rootfs: "./r" });\nconst front = new Network("front-net");\n');
    await writeDeclaration(file, "web", args, "imported");
    const text = readFileSync(file, "utf8");
    expect(text).toContain('import { Image, Network, Container } from "cinfra";');
    expect(text).toContain("// imported\nnew Container(\"web\", {\n  image: base,");
    expect(text).toContain("networks: [front],");
    await expect(writeDeclaration(file, "web", args, "again")).rejects.toThrow(/already declared/);
    writeFileSync(file, 'import { Image } from "cinfra";\nnew Image("app", { rootfs: "./r" });\n');
    await expect(writeDeclaration(file, "web", args, "x")).rejects.toThrow(/no variable holding image\.app, network\.front-net/);
  });
});
