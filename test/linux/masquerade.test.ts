/** Outbound masquerade: the rule lives in cinfra's own nftables table, and goes with the network. */
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { masqueradeRules } from "../../provider/linux/firewall/masquerade.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

const hasNft = spawnSync("nft", ["--version"]).status === 0;

describe.runIf(hasNft)("masquerade", () => {
  const h = new RuntimeHarness();
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("adds a tagged masquerade rule in cinfra's table and removes it (and the table) with the network", async () => {
    const before = execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" });
    const subnet = `10.${200 + Math.floor(Math.random() * 50)}.33.0/24`;
    const net = await h.create("network", "out", { subnet, masquerade: true });
    const table = execFileSync("nft", ["list", "table", "ip", h.config.linkPrefix], { encoding: "utf8" });
    expect(table).toContain(`ip saddr ${subnet} oifname != "${net.outputs.bridge}" masquerade comment "cinfra:test/network/out"`);
    expect(table).toMatch(/iifname ".*" oifname ".*\*" oifname != ".*" drop/);
    await h.delete(net);
    expect(masqueradeRules(h.config.linkPrefix)).toEqual([]);
    expect(execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" })).toBe(before); // nobody else's rules touched
  });
});
