import { isRef, type Props } from "../model/types.js";

export interface Attachment {
  network: string;
  ipv4?: string;
  aliases: string[];
}

/** A container's canonical `networks` prop as plain attachments (network urn, static ip, aliases). */
export function asAttachments(props: Props): Attachment[] {
  const list = Array.isArray(props.networks) ? props.networks : [];
  return list.map((entry) => {
    const e = entry as Props;
    return {
      network: isRef(e.network) ? e.network.$ref : String(e.network),
      ipv4: typeof e.ipv4 === "string" ? e.ipv4 : undefined,
      aliases: Array.isArray(e.aliases) ? (e.aliases as string[]) : [],
    };
  });
}
