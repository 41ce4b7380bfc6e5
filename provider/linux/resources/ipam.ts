/**
 * IPv4 address leases for a network: one file per address under `<network dir>/leases/`, created
 * with O_EXCL so two concurrent creates can never take the same address, and surviving restarts.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CinfraError } from "../../../core/errors.js";
import { cidrContains, formatIpv4, parseCidr, parseIpv4 } from "../../../core/model/units.js";

const LAST = ".last";

export class Leases {
  constructor(private readonly dir: string) {}

  private file(ip: string): string {
    return join(this.dir, ip);
  }

  /** Lease `wanted`, or the lowest free host address of the subnet (of `range` inside it, if given), to `holder`. */
  acquire(subnet: string, gateway: string, holder: string, wanted?: string, range?: string): string {
    const cidr = parseCidr(subnet);
    if (!cidr) throw new CinfraError("IPAM", `bad subnet ${subnet}`);
    mkdirSync(this.dir, { recursive: true });
    const reserved = new Set([cidr.network, cidr.network + cidr.size - 1, parseIpv4(gateway)]);
    if (wanted) {
      const address = parseIpv4(wanted);
      if (address === null || !cidrContains(cidr, address) || reserved.has(address)) {
        throw new CinfraError("IPAM", `${wanted} is not a free host address of ${subnet}`);
      }
      if (!this.tryTake(wanted, holder)) throw new CinfraError("IPAM", `${wanted} is already in use on ${subnet}`);
      return wanted;
    }
    const pool = (range && parseCidr(range)) || cidr;
    const first = Math.max(pool.network, cidr.network + 1);
    const end = Math.min(pool.network + pool.size, cidr.network + cidr.size - 1);
    // Start after the last address handed out (wrapping), as Docker does: an address just freed is not
    // reused at once, so peers' ARP caches never point a new container's address at a dead one's MAC.
    const last = this.lastGiven();
    const start = last !== null && last >= first && last < end - 1 ? last + 1 : first;
    for (let i = 0; i < end - first; i++) {
      const address = first + ((start - first + i) % (end - first));
      if (reserved.has(address)) continue;
      const ip = formatIpv4(address);
      if (this.tryTake(ip, holder)) {
        writeFileSync(join(this.dir, LAST), ip);
        return ip;
      }
    }
    throw new CinfraError("IPAM", `${range ? `range ${range} of ` : ""}subnet ${subnet} has no free address left`);
  }

  private tryTake(ip: string, holder: string): boolean {
    try {
      writeFileSync(this.file(ip), holder, { flag: "wx" });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }

  private lastGiven(): number | null {
    try {
      return parseIpv4(readFileSync(join(this.dir, LAST), "utf8").trim());
    } catch {
      return null;
    }
  }

  release(ip: string): void {
    rmSync(this.file(ip), { force: true });
  }

  /** Every address a holder has (used to clean up after a crash). */
  heldBy(holder: string): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names.filter((ip) => ip !== LAST).filter((ip) => {
      try {
        return readFileSync(join(this.dir, ip), "utf8") === holder;
      } catch {
        return false;
      }
    });
  }
}

