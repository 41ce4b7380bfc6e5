/** 20 containers on two networks: create, replace all, destroy — and not one veth, bridge, cgroup, netns or lease left. */
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const box = sandbox();
const stack = join(box.dir, "churn.ts");
const octet = 200 + Math.floor(Math.random() * 50);

function program(generation: number): string {
  const containers = Array.from({ length: 20 }, (_, i) =>
    `new Container("c${i}", { image, command: ["sleep", "${1000 + generation}"], init: true, networks: [${i % 2 ? "a" : "b"}]${i === 0 ? `, ports: [{ host: ${30000 + octet}, container: 80, hostIp: "127.0.0.1" }]` : ""} });`);
  return `import { Container, Image, Network } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs" });
const a = new Network("a", { subnet: "10.${octet}.10.0/24" });
const b = new Network("b", { subnet: "10.${octet}.11.0/24" });
${containers.join("\n")}
`;
}

afterAll(() => {
  cinfra(box, "destroy", stack, "--yes");
  rmSync(box.dir, { recursive: true, force: true });
  rmSync(box.runRoot, { recursive: true, force: true });
});

describe("20-container churn", () => {
  it("creates, replaces and destroys without leaving anything", () => {
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    writeFileSync(stack, program(1));
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
    expect(JSON.parse(cinfra(box, "ps", "--json").stdout).filter((r: { state: string }) => r.state === "running")).toHaveLength(20);
    const links = kernelObjectsNamed(`cinfra${box.tag}`).filter((o) => o.startsWith("link"));
    expect(links).toHaveLength(22); // 2 bridges + 20 host-side veths

    writeFileSync(stack, program(2));
    const replaced = cinfra(box, "apply", stack, "--yes");
    expect(replaced.stdout).toContain("Resources: 20 added, 0 changed, 20 destroyed");
    expect(kernelObjectsNamed(`cinfra${box.tag}`).filter((o) => o.startsWith("link"))).toHaveLength(22);

    expect(cinfra(box, "destroy", stack, "--yes").code).toBe(0);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    const netns = join(box.runRoot, "netns");
    expect(existsSync(netns) ? readdirSync(netns) : []).toEqual([]);
    expect(readdirSync(join(box.dir, "lib/networks"))).toEqual([]);
    expect(readdirSync(join(box.dir, "lib/containers"))).toEqual([]);
  }, 120_000);
});
