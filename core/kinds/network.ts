import { boolean, fail, number, record, string } from "../model/check.js";
import { cidrContains, formatCidr, parseCidr, parseIpv4 } from "../model/units.js";
import type { Props } from "../model/types.js";
import type { KindSchema } from "./kind-schema.js";

export const networkSchema: KindSchema = {
  kind: "network",
  normalize(raw, path) {
    const props = record(raw, path, ["subnet", "gateway", "internal", "mtu"]);
    const subnetText = string(props.subnet, `${path}.subnet`);
    const subnet = parseCidr(subnetText);
    if (!subnet) fail(`${path}.subnet`, `${JSON.stringify(subnetText)} is not an IPv4 CIDR with /8../30 and no host bits`);
    const out: Props = { subnet: formatCidr(subnet) };
    if (props.gateway !== undefined) {
      const gateway = string(props.gateway, `${path}.gateway`);
      const address = parseIpv4(gateway);
      if (address === null) fail(`${path}.gateway`, `${JSON.stringify(gateway)} is not an IPv4 address`);
      if (!cidrContains(subnet, address) || address === subnet.network || address === subnet.network + subnet.size - 1) {
        fail(`${path}.gateway`, `${gateway} is not a host address inside ${out.subnet}`);
      }
      out.gateway = gateway;
    }
    if (props.internal !== undefined) out.internal = boolean(props.internal, `${path}.internal`);
    if (props.mtu !== undefined) out.mtu = number(props.mtu, `${path}.mtu`, { min: 68, max: 65535, integer: true });
    return out;
  },
  // A bridge's subnet and gateway are baked into every attached container: changing them means new ones.
  updatable: [],
  outputs: ["id", "bridge", "gateway"],
};
