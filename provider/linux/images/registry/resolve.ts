/** What a tag points to now: one manifest request, no blobs (plan-time check for moved tags). */
import type { Credentials } from "./auth.js";
import { RegistryClient } from "./client.js";
import { parseReference } from "./reference.js";

export async function resolveTag(refText: string, credentials?: Credentials): Promise<string> {
  const ref = parseReference(refText);
  const fetched = await new RegistryClient(ref, { credentials }).manifest(ref.digest ?? ref.tag ?? "latest");
  return fetched.digest;
}
