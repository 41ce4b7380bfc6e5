/**
 * Every broken program in test/fixtures/bad-stacks gives exit 1, a message naming the program's
 * file:line (and the property path where one is at fault), and changes nothing.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cinfra, sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const DIR = join(import.meta.dirname, "../fixtures/bad-stacks");
const files = readdirSync(DIR).filter((f) => f.endsWith(".ts")).sort();
const box = sandbox();

/** The property path each validation failure must name. */
const PATHS: Record<string, string> = {
  "bad-size.ts": "container.web.limits.memory",
  "bad-cpus.ts": "container.web.limits.cpus",
  "bad-cidr.ts": "network.net.subnet",
  "unknown-prop.ts": "container.web.comand",
  "ip-outside-subnet.ts": "container.web.networks[0].ipv4",
  "missing-image-rootfs.ts": "image.busybox.rootfs",
  "volume-mounted-twice.ts": "container.web.mounts[1].target",
  "unknown-limit.ts": "container.web.limits.memry",
  "pid-with-init.ts": "container.peer.pid",
  "pid-shared-with-self.ts": "container.peer.pid.container",
  "pid-owner-not-in-stack.ts": "container.peer.pid.container",
  "pid-owner-stopped.ts": "container.peer.pid.container",
};

afterAll(() => rmSync(box.dir, { recursive: true, force: true }));

describe("bad stack programs", () => {
  it("has a corpus of at least 30", () => expect(files.length).toBeGreaterThanOrEqual(30));

  it.each(files)("%s: exit 1, names file:line, changes nothing", (file) => {
    const r = cinfra(box, "apply", join(DIR, file), "--yes");
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("Creating...");
    expect(r.stderr).toMatch(new RegExp(`${file.replace(".", "\\.")}:\\d+`));
    if (PATHS[file]) expect(r.stderr).toContain(PATHS[file]);
    expect(r.stderr).not.toContain("internal error");
  });

  it("left no state and no kernel objects", () => {
    expect(JSON.parse(cinfra(box, "ps", "--json").stdout)).toEqual([]);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    expect(readdirSync(DIR).filter((f) => f.includes(".cinfra-"))).toEqual([]);
  });
});
