/**
 * Outbound NAT for networks that ask for it (`masquerade: true`), in ONE nftables table owned by
 * cinfra (named after the link prefix, e.g. `ip cinfra`), so no rule of anyone else is ever touched:
 *   chain postrouting (nat): ip saddr <subnet> oifname != <bridge> masquerade   (comment: owner)
 *   chain forward (filter):  traffic between two different cinfra bridges is dropped
 * Rules are found again by their comment and removed by handle; the table goes with its last rule.
 * Driven through `nft -j` (the nftables package's own interface to nf_tables). cinfra does not change
 * net.ipv4.ip_forward: enabling forwarding for outbound traffic is the host owner's call.
 */
import { execFileSync } from "node:child_process";
import { RuntimeError } from "../../../core/errors.js";

export interface MasqueradeRule {
  table: string;
  bridge: string;
  subnet: string;
  owner: string;
  bridgePrefix: string;
}

function nft(args: string[], input?: string): string {
  try {
    return execFileSync("nft", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new RuntimeError("NFT_MISSING", "masquerade needs nftables: apt-get install -y nftables");
    throw new RuntimeError("NFT", `nft ${args.join(" ")}: ${(e.stderr ?? e.message).trim()}`);
  }
}

interface NftRule { rule?: { chain: string; handle: number; comment?: string } }

function rules(table: string): { chain: string; handle: number; comment?: string }[] {
  const listed = JSON.parse(nft(["-j", "list", "table", "ip", table])) as { nftables: NftRule[] };
  return listed.nftables.flatMap((item) => (item.rule ? [item.rule] : []));
}

function tableExists(table: string): boolean {
  const listed = JSON.parse(nft(["-j", "list", "tables", "ip"])) as { nftables: { table?: { name: string } }[] };
  return listed.nftables.some((item) => item.table?.name === table);
}

export function addMasquerade(r: MasqueradeRule): void {
  const script = [
    `table ip ${r.table} {`,
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }",
    "  chain forward { type filter hook forward priority filter; policy accept; }",
    "}",
    `add rule ip ${r.table} postrouting ip saddr ${r.subnet} oifname != "${r.bridge}" masquerade comment "${r.owner}"`,
    `add rule ip ${r.table} forward iifname "${r.bridge}" oifname "${r.bridgePrefix}*" oifname != "${r.bridge}" drop comment "${r.owner}"`,
  ].join("\n");
  nft(["-f", "-"], `${script}\n`);
}

/** Remove the rules a network owns; drop the table when nothing of cinfra's is left in it. */
export function removeMasquerade(table: string, owner: string): void {
  if (!tableExists(table)) return;
  for (const rule of rules(table).filter((x) => x.comment === owner)) {
    nft(["delete", "rule", "ip", table, rule.chain, "handle", String(rule.handle)]);
  }
  if (rules(table).length === 0) nft(["delete", "table", "ip", table]);
}

export function masqueradeRules(table: string): { chain: string; comment?: string }[] {
  return tableExists(table) ? rules(table) : [];
}
