import { boolean, fail, number, record, string } from "../model/check.js";
import { cidrContains, formatCidr, parseCidr, parseIpv4, type Cidr } from "../model/units.js";
import type { Props } from "../model/types.js";
import type { KindSchema } from "./kind-schema.js";

function checkHost(path: string, text: string, subnet: Cidr, what: string): void {
  const address = parseIpv4(text);
  if (address === null) fail(path, `${JSON.stringify(text)} is not an IPv4 address`);
  if (!cidrContains(subnet, address) || address === subnet.network || address === subnet.network + subnet.size - 1) {
    fail(path, `${text} is not a host address inside ${formatCidr(subnet)}${what}`);
  }
}

export const networkSchema: KindSchema = {
  kind: "network",
  normalize(raw, path) {
    const props = record(raw ?? {}, path, ["subnet", "gateway", "internal", "mtu", "ipRange", "masquerade"]);
    const out: Props = {};
    // Without a subnet, the runtime picks a free /24 from its default pool (known after apply).
    let subnet: Cidr | null = null;
    if (props.subnet !== undefined) {
      const subnetText = string(props.subnet, `${path}.subnet`);
      subnet = parseCidr(subnetText);
      if (!subnet) fail(`${path}.subnet`, `${JSON.stringify(subnetText)} is not an IPv4 CIDR with /8../30 and no host bits`);
      out.subnet = formatCidr(subnet);
    }
    if (props.gateway !== undefined) {
      if (!subnet) fail(`${path}.gateway`, "a gateway needs the subnet declared");
      checkHost(`${path}.gateway`, string(props.gateway, `${path}.gateway`), subnet, "");
      out.gateway = props.gateway as string;
    }
    if (props.ipRange !== undefined) {
      if (!subnet) fail(`${path}.ipRange`, "an ipRange needs the subnet declared");
      const range = parseCidr(string(props.ipRange, `${path}.ipRange`));
      if (!range || !cidrContains(subnet, range.network) || !cidrContains(subnet, range.network + range.size - 1)) {
        fail(`${path}.ipRange`, `${JSON.stringify(props.ipRange)} is not a CIDR inside ${out.subnet}`);
      }
      out.ipRange = formatCidr(range);
    }
    if (props.internal !== undefined) out.internal = boolean(props.internal, `${path}.internal`);
    if (props.masquerade !== undefined) {
      out.masquerade = boolean(props.masquerade, `${path}.masquerade`);
      if (out.masquerade && out.internal) fail(`${path}.masquerade`, "an internal network has no way out to masquerade");
    }
    if (props.mtu !== undefined) out.mtu = number(props.mtu, `${path}.mtu`, { min: 68, max: 65535, integer: true });
    return out;
  },
  // A bridge's subnet and gateway are baked into every attached container: changing them means new ones.
  updatable: [],
  outputs: ["id", "bridge", "subnet", "gateway"],
};
