/**
 * `cinfra state list|show|mv|rm|export|import` and `cinfra history` on a real applied stack: every
 * repair leaves a state that plans as a no-op against the matching program, and nothing leaks.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const box = sandbox();
const octet = 200 + Math.floor(Math.random() * 50);
const file = (name: string) => join(box.dir, name);

/** The same stack with the container under `name`, or without it (the stack is "repair" whatever the file). */
function program(name: string): string {
  return `import { Container, Image, Network, Volume } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs" });
const net = new Network("net", { subnet: "10.${octet}.30.0/24" });
const data = new Volume("data");
${name ? `new Container("${name}", { image, command: ["sleep", "3600"], init: true, networks: [net], mounts: [{ volume: data, target: "/data" }] });\n` : ""}`;
}

const plan = (f: string) => cinfra(box, "plan", f, "--stack", "repair", "--detailed-exitcode");
const list = () => JSON.parse(cinfra(box, "state", "list", "--json").stdout) as { stack: string; urn: string; id: string }[];

beforeAll(() => {
  makeBusyboxRootfs(file("rootfs"));
  writeFileSync(file("web.ts"), program("web"));
  writeFileSync(file("api.ts"), program("api"));
  writeFileSync(file("bare.ts"), program(""));
});

afterAll(() => {
  cinfra(box, "destroy", "--stack", "repair", "--yes");
  rmSync(box.dir, { recursive: true, force: true });
  rmSync(box.runRoot, { recursive: true, force: true });
});

describe("state commands", () => {
  it("lists, shows and records history of an applied stack", () => {
    expect(cinfra(box, "apply", file("web.ts"), "--stack", "repair", "--yes").code).toBe(0);
    expect(list().map((r) => r.urn)).toEqual(["container.web", "image.busybox", "network.net", "volume.data"]);
    const text = cinfra(box, "state", "list").stdout;
    expect(text).toMatch(/^STACK\s+RESOURCE\s+ID\nrepair\s+container\.web\s+[0-9a-f]{12}/);
    const shown = cinfra(box, "state", "show", "web");
    expect(shown.stdout).toContain("# container.web (stack repair)");
    expect(shown.stdout).toContain("depends on: image.busybox, network.net, volume.data");
    expect(JSON.parse(cinfra(box, "state", "show", "container.web", "--json").stdout)).toMatchObject({ stack: "repair", inputs: { command: ["sleep", "3600"] } });
    expect(cinfra(box, "state", "show", "nothing").stderr).toContain('no resource named "nothing" in state');
    const history = cinfra(box, "history").stdout;
    expect(history).toMatch(/1\s+\S+ \S+\s+\S+\s+apply\s+ok\s+\+4 ~0 -\/\+0 -0/);
    expect(JSON.parse(cinfra(box, "history", "--json").stdout)).toHaveLength(1);
  });

  it("mv renames the row and its references: the renamed program plans as a no-op", () => {
    const id = list().find((r) => r.urn === "container.web")!.id;
    expect(cinfra(box, "state", "mv", "web", "api").stdout).toContain('Moved container.web to container.api in stack "repair"');
    expect(list().find((r) => r.urn === "container.api")!.id).toBe(id);
    expect(plan(file("api.ts")).code).toBe(0);
    expect(cinfra(box, "state", "mv", "api", "volume.x").stderr).toContain("can only move to another container name");
    expect(cinfra(box, "state", "mv", "data", "net").code).toBe(0); // a volume may take a network's name: another kind
    expect(cinfra(box, "state", "mv", "volume.net", "data").code).toBe(0);
  });

  it("rm refuses while others depend on the resource, and forgets without touching the object", () => {
    expect(cinfra(box, "state", "rm", "net").stderr).toContain("network.net is used by container.api");
    const id = list().find((r) => r.urn === "container.api")!.id;
    expect(cinfra(box, "state", "rm", "api").stdout).toContain(`cinfra import container api --id ${id}`);
    expect(list().map((r) => r.urn)).not.toContain("container.api");
    expect(existsSync(join(box.dir, "lib/containers", id))).toBe(true); // still there, unmanaged
    const imported = cinfra(box, "import", "container", "api", "--id", id);
    expect(imported.stdout).toContain(`Imported container.api (id ${id}) into stack "repair"`);
    // It was created as "web" (then only renamed in state): the declaration tells the truth about its hostname.
    expect(imported.stdout).toContain('new Container("api", {\n  image: busybox,\n  command: ["sleep", "3600"],\n  hostname: "web",\n  init: true,\n  networks: [net],');
    expect(cinfra(box, "import", "container", "api2", "--id", id).stderr).toContain(`already managed as container.api in stack "repair"`);

    // --write puts the declaration into a program that lacks it, with the program's own variables.
    expect(cinfra(box, "state", "rm", "api").code).toBe(0);
    expect(cinfra(box, "import", "container", "api", "--id", id, "--write", file("bare.ts")).code).toBe(0);
    expect(readFileSync(file("bare.ts"), "utf8")).toContain("// Imported by `cinfra import container api");
    expect(plan(file("bare.ts")).code).toBe(0);
  });

  it("export and import round-trip a stack, into this state or another file", async () => {
    const exported = cinfra(box, "state", "export");
    expect(exported.code).toBe(0);
    writeFileSync(file("export.json"), exported.stdout);
    expect(cinfra(box, "state", "import", file("export.json")).stdout).toContain('Imported 4 resource(s) into stack "repair"');
    expect(plan(file("bare.ts")).code).toBe(0);

    const other = { ...box, env: { ...box.env, CINFRA_STATE: file("other.db") } };
    expect(cinfra(other, "state", "import", file("export.json")).code).toBe(0);
    expect(JSON.parse(cinfra(other, "state", "list", "--json").stdout)).toEqual(list());
    // A stack of another lineage is not overwritten by accident.
    const store = new SqliteStore(file("third.db"));
    await store.putResource("repair", { urn: "volume.keep", kind: "volume", name: "keep", id: "k", inputs: {}, outputs: {}, dependsOn: [] });
    await store.close();
    const third = { ...box, env: { ...box.env, CINFRA_STATE: file("third.db") } };
    expect(cinfra(third, "state", "import", file("export.json")).stderr).toContain("from another lineage: pass --force");
    expect(cinfra(third, "state", "import", file("export.json"), "--force").code).toBe(0);
    expect(cinfra(box, "state", "import", file("web.ts")).stderr).toContain("state: is not JSON");
  });

  it("takes the stack's lock for changes", async () => {
    const holder = new SqliteStore(box.env.CINFRA_STATE!);
    const lock = await holder.lock("repair", "apply");
    const r = cinfra(box, "state", "rm", "api");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`stack "repair" is locked by`);
    expect(r.stderr).toContain(`pid ${process.pid}`);
    await lock.release();
    await holder.close();
  });

  it("destroys what state holds, leaving nothing", () => {
    expect(cinfra(box, "destroy", "--stack", "repair", "--yes").code).toBe(0);
    expect(kernelObjectsNamed(box.linkPrefix)).toEqual([]);
  });
});
