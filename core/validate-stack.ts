/**
 * Checks that need more than one resource: a static address must sit inside its network's subnet
 * and be unique on it; namespace sharing must name a container that can share (validate-sharing.ts).
 * Pure; runs before planning so bad input changes nothing.
 */
import { ValidationError } from "./errors.js";
import { ipOutsideSubnet } from "./kinds/container.js";
import type { DesiredResource, Urn } from "./model/types.js";
import { asAttachments } from "./kinds/attachments.js";
import { parseCidr } from "./model/units.js";
import { validateSharing } from "./validate-sharing.js";

export function validateStack(resources: readonly DesiredResource[]): void {
  validateSharing(resources);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const taken = new Map<string, string>();
  const hostPorts = new Map<string, string>();
  const members = new Map<string, number>();
  for (const resource of resources) {
    if (resource.kind !== "container") continue;
    const ports = (Array.isArray(resource.props.ports) ? resource.props.ports : []) as { host: number; protocol: string }[];
    if (ports.length && asAttachments(resource.props).length === 0) {
      throw new ValidationError(`container.${resource.name}.ports`, "publishing ports needs the container on a network", resource.location);
    }
    ports.forEach((p, i) => {
      const key = `${p.protocol}/${p.host}`;
      const holder = hostPorts.get(key);
      if (holder) throw new ValidationError(`container.${resource.name}.ports[${i}].host`, `${p.protocol} port ${p.host} is already published by ${holder}`, resource.location);
      hostPorts.set(key, `container.${resource.name}`);
    });
    asAttachments(resource.props).forEach((attachment, i) => {
      const network = byUrn.get(attachment.network as Urn);
      members.set(attachment.network, (members.get(attachment.network) ?? 0) + 1);
      if (!attachment.ipv4) return;
      const path = `container.${resource.name}.networks[${i}].ipv4`;
      const subnet = network?.props.subnet;
      if (subnet === undefined) throw new ValidationError(path, `a static address needs ${network?.name ?? "the network"}'s subnet declared`, resource.location);
      if (typeof subnet === "string" && ipOutsideSubnet(attachment.ipv4, subnet)) {
        throw new ValidationError(path, `${attachment.ipv4} is outside ${network!.name}'s subnet ${subnet}`, resource.location);
      }
      const key = `${attachment.network}/${attachment.ipv4}`;
      const holder = taken.get(key);
      if (holder) throw new ValidationError(path, `${attachment.ipv4} is already given to ${holder}`, resource.location);
      taken.set(key, `container.${resource.name}`);
    });
  }
  // More containers than addresses is an error now, not on the n-th create.
  for (const [urn, count] of members) {
    const network = byUrn.get(urn as Urn);
    const cidr = typeof network?.props.subnet === "string" ? parseCidr(network.props.subnet) : null;
    if (cidr && count > cidr.size - 3) {
      throw new ValidationError(`network.${network!.name}.subnet`, `${count} containers do not fit in ${network!.props.subnet} (${cidr.size - 3} addresses)`, network!.location);
    }
  }
}
