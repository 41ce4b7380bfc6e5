/**
 * Checks that need more than one resource: a static address must sit inside its network's subnet
 * and be unique on it. Pure; runs before planning so bad input changes nothing.
 */
import { ValidationError } from "./errors.js";
import { ipOutsideSubnet } from "./kinds/container.js";
import type { DesiredResource, Urn } from "./model/types.js";
import { asAttachments } from "./kinds/attachments.js";

export function validateStack(resources: readonly DesiredResource[]): void {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const taken = new Map<string, string>();
  const hostPorts = new Map<string, string>();
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
      if (!attachment.ipv4) return;
      const path = `container.${resource.name}.networks[${i}].ipv4`;
      const network = byUrn.get(attachment.network as Urn);
      const subnet = network?.props.subnet;
      if (typeof subnet === "string" && ipOutsideSubnet(attachment.ipv4, subnet)) {
        throw new ValidationError(path, `${attachment.ipv4} is outside ${network!.name}'s subnet ${subnet}`, resource.location);
      }
      const key = `${attachment.network}/${attachment.ipv4}`;
      const holder = taken.get(key);
      if (holder) throw new ValidationError(path, `${attachment.ipv4} is already given to ${holder}`, resource.location);
      taken.set(key, `container.${resource.name}`);
    });
  }
}
