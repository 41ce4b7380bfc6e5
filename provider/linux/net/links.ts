/**
 * Links, addresses and routes over one NETLINK_ROUTE socket, i.e. inside that socket's network
 * namespace. Every call is one or two synchronous netlink round trips (~tens of µs).
 * cinfra sets IFLA_IFALIAS (the owner identity) on each link it creates, so leftovers are attributable.
 */
import { SyscallError, ValidationError } from "../../../core/errors.js";
import { AF_INET, AF_UNSPEC } from "../sys/constants.js";
import {
  IFA_ADDRESS, IFA_LOCAL, IFF_UP, IFLA_IFALIAS, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MASTER,
  IFLA_MTU, IFLA_NET_NS_FD, NLM_F_CREATE, NLM_F_EXCL, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTA_GATEWAY, RTA_OIF,
  RTM_DELLINK, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE, RTM_SETLINK, RTN_UNICAST, RTPROT_BOOT,
  VETH_INFO_PEER,
} from "./netlink-constants.js";
import {
  attr, attrMap, attrString, attrU32, decodeIfAddrMsg, decodeIfInfoMsg, encodeIfAddrMsg, encodeIfInfoMsg, encodeRtMsg,
  type NetlinkMessage,
} from "./netlink-message.js";
import { formatIp, parseCidr, parseIp } from "./ip-address.js";
import type { NetlinkSocket } from "./netlink-socket.js";

const ENODEV = 19;

export interface LinkInfo {
  index: number;
  name: string;
  /** IFLA_IFALIAS: for links cinfra made, the owner identity ("cinfra:<stack>/<kind>/<name>"). */
  alias: string | null;
  /** "bridge", "veth", …; null for links without rtnl kind (lo, most physical NICs). */
  kind: string | null;
  up: boolean;
  /** Name of the master (bridge) in the same namespace, or null. */
  master: string | null;
  mtu: number;
}

export interface AddressInfo {
  family: 4 | 6;
  address: string;
  prefixLength: number;
  /** "10.89.0.1/24" */
  cidr: string;
}

export interface LinkOptions {
  mtu?: number;
  alias?: string;
  /** Bring the link up as part of the create request. */
  up?: boolean;
}

export interface VethOptions extends LinkOptions {
  /**
   * Create the peer directly inside this network namespace (an fd of its nsfs file). The alias is
   * then set on the host end only (it is the end that can outlive a container); name the peer from
   * inside with `withNetns(..., (l) => l.setAlias(peer, ...))` if wanted.
   */
  peerNetnsFd?: number;
  /** Attach the host end to this bridge as part of the create request. */
  master?: string;
}

export class Links {
  constructor(readonly socket: NetlinkSocket) {}

  createBridge(name: string, options: LinkOptions = {}): void {
    this.newLink(name, "bridge", options, []);
  }

  /**
   * A veth pair; with `peerNetnsFd` the peer is born inside that namespace (no move afterwards).
   * `mtu` applies to both ends, `up` to the host end only: veth_open refuses (ENOTCONN) to open
   * the peer before the pair is linked, so the peer is brought up afterwards, from its namespace.
   */
  createVeth(hostName: string, peerName: string, options: VethOptions = {}): void {
    checkName(peerName);
    const peer = [
      encodeIfInfoMsg({ family: AF_UNSPEC }),
      attr.string(IFLA_IFNAME, peerName),
      ...(options.mtu === undefined ? [] : [attr.u32(IFLA_MTU, options.mtu)]),
      ...(options.peerNetnsFd === undefined ? [] : [attr.u32(IFLA_NET_NS_FD, options.peerNetnsFd)]),
    ];
    const master = options.master === undefined ? [] : [attr.u32(IFLA_MASTER, this.requireIndex(options.master, "RTM_NEWLINK"))];
    const peerData = attr.nested(IFLA_INFO_DATA, [attr.bytes(VETH_INFO_PEER, Buffer.concat(peer))]);
    this.newLink(hostName, "veth", options, [peerData], master);
    if (options.alias !== undefined && options.peerNetnsFd === undefined) this.setAlias(peerName, options.alias);
  }

  setMaster(name: string, master: string): void {
    const masterIndex = this.requireIndex(master, "RTM_SETLINK");
    this.setLink(name, [attr.u32(IFLA_MASTER, masterIndex)]);
  }

  setUp(name: string): void {
    this.setLink(name, [], { flags: IFF_UP, change: IFF_UP });
  }

  setAlias(name: string, alias: string): void {
    this.setLink(name, [attr.string(IFLA_IFALIAS, alias)]);
  }

  setMtu(name: string, mtu: number): void {
    this.setLink(name, [attr.u32(IFLA_MTU, mtu)]);
  }

  /** Idempotent: a link that is already gone is fine. Deleting one end of a veth removes both. */
  deleteLink(name: string): void {
    try {
      this.socket.request(RTM_DELLINK, 0, [encodeIfInfoMsg({}), attr.string(IFLA_IFNAME, name)], { path: name });
    } catch (error) {
      if (!(error instanceof SyscallError && error.errno === ENODEV)) throw error;
    }
  }

  getLink(name: string): LinkInfo | null {
    const link = this.lookup(name);
    if (!link) return null;
    const masterName = link.masterIndex === null ? null : this.nameOf(link.masterIndex);
    return toLinkInfo(link, masterName);
  }

  listLinks(): LinkInfo[] {
    const links = this.socket.dump(RTM_GETLINK, [encodeIfInfoMsg({})]).map(decodeLink);
    const names = new Map(links.map((l) => [l.index, l.name]));
    return links.map((l) => toLinkInfo(l, l.masterIndex === null ? null : (names.get(l.masterIndex) ?? null)));
  }

  addAddress(name: string, cidr: string): void {
    const parsed = parseCidr(cidr);
    const index = this.requireIndex(name, "RTM_NEWADDR");
    const header = encodeIfAddrMsg({ family: parsed.family, prefixLength: parsed.prefixLength, flags: 0, scope: RT_SCOPE_UNIVERSE, index });
    const parts = [header, attr.bytes(IFA_LOCAL, parsed.bytes), attr.bytes(IFA_ADDRESS, parsed.bytes)];
    this.socket.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, parts, { path: `${cidr} dev ${name}` });
  }

  listAddresses(name: string): AddressInfo[] {
    const index = this.requireIndex(name, "RTM_GETADDR");
    const addresses: AddressInfo[] = [];
    for (const msg of this.socket.dump(RTM_GETADDR, [encodeIfAddrMsg({ family: AF_UNSPEC, prefixLength: 0, flags: 0, scope: 0, index: 0 })])) {
      const { header, attrs } = decodeIfAddrMsg(msg.payload);
      const bytes = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS);
      if (header.index !== index || !bytes) continue;
      const address = formatIp(bytes);
      addresses.push({ family: header.family === AF_INET ? 4 : 6, address, prefixLength: header.prefixLength, cidr: `${address}/${header.prefixLength}` });
    }
    return addresses;
  }

  /** Default route via `gateway` (reachable on a connected subnet), optionally pinned to `device`. */
  addDefaultRoute(gateway: string, device?: string): void {
    const via = parseIp(gateway, "gateway");
    const parts = [
      encodeRtMsg({ family: via.family, dstLength: 0, srcLength: 0, tos: 0, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT, scope: RT_SCOPE_UNIVERSE, type: RTN_UNICAST, flags: 0 }),
      attr.bytes(RTA_GATEWAY, via.bytes),
      ...(device === undefined ? [] : [attr.u32(RTA_OIF, this.requireIndex(device, "RTM_NEWROUTE"))]),
    ];
    this.socket.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, parts, { path: `default via ${gateway}` });
  }

  private newLink(name: string, kind: string, options: LinkOptions, kindData: Buffer[], extra: Buffer[] = []): void {
    checkName(name);
    const up = options.up ? { flags: IFF_UP, change: IFF_UP } : {};
    const parts = [
      encodeIfInfoMsg({ family: AF_UNSPEC, ...up }),
      attr.string(IFLA_IFNAME, name),
      ...(options.mtu === undefined ? [] : [attr.u32(IFLA_MTU, options.mtu)]),
      ...extra,
      attr.nested(IFLA_LINKINFO, [attr.string(IFLA_INFO_KIND, kind), ...kindData]),
    ];
    this.socket.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, parts, { path: name });
    // the kernel ignores IFLA_IFALIAS when creating a link (rtnl_create_link), so it takes a second request
    if (options.alias !== undefined) this.setAlias(name, options.alias);
  }

  private setLink(name: string, attrs: Buffer[], flags: { flags?: number; change?: number } = {}): void {
    const parts = [encodeIfInfoMsg({ family: AF_UNSPEC, ...flags }), attr.string(IFLA_IFNAME, name), ...attrs];
    this.socket.request(RTM_SETLINK, 0, parts, { path: name });
  }

  private lookup(name: string): DecodedLink | null {
    let replies: NetlinkMessage[];
    try {
      replies = this.socket.request(RTM_GETLINK, 0, [encodeIfInfoMsg({}), attr.string(IFLA_IFNAME, name)], { path: name });
    } catch (error) {
      if (error instanceof SyscallError && error.errno === ENODEV) return null;
      throw error;
    }
    return replies.map(decodeLink).find((l) => l.name === name) ?? null;
  }

  private requireIndex(name: string, call: string): number {
    const link = this.lookup(name);
    if (!link) throw new SyscallError(call, ENODEV, name);
    return link.index;
  }

  private nameOf(index: number): string | null {
    try {
      const [reply] = this.socket.request(RTM_GETLINK, 0, [encodeIfInfoMsg({ index })], { path: `ifindex ${index}` });
      return reply ? decodeLink(reply).name : null;
    } catch (error) {
      if (error instanceof SyscallError && error.errno === ENODEV) return null;
      throw error;
    }
  }
}

interface DecodedLink extends Omit<LinkInfo, "master"> {
  masterIndex: number | null;
}

function decodeLink(msg: NetlinkMessage): DecodedLink {
  const { header, attrs } = decodeIfInfoMsg(msg.payload);
  const linkInfo = attrs.get(IFLA_LINKINFO);
  return {
    index: header.index,
    name: attrString(attrs.get(IFLA_IFNAME)) ?? "",
    alias: attrString(attrs.get(IFLA_IFALIAS)),
    kind: linkInfo ? attrString(attrMap(linkInfo).get(IFLA_INFO_KIND)) : null,
    up: (header.flags & IFF_UP) !== 0,
    masterIndex: attrU32(attrs.get(IFLA_MASTER)),
    mtu: attrU32(attrs.get(IFLA_MTU)) ?? 0,
  };
}

function toLinkInfo(link: DecodedLink, master: string | null): LinkInfo {
  const { masterIndex: _ignored, ...rest } = link;
  return { ...rest, master };
}

/** The kernel's IFNAMSIZ is 16 with the NUL: at most 15 bytes, no '/', ':' or whitespace. */
function checkName(name: string): void {
  if (name.length === 0 || Buffer.byteLength(name) > 15 || /[/:\s]/.test(name) || name === "." || name === "..") {
    throw new ValidationError("interface name", `"${name}" is not a valid interface name (1-15 bytes, no '/', ':' or spaces)`);
  }
}
