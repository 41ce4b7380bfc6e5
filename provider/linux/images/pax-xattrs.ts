/**
 * Extended attributes of an archive entry, from its pax header records.
 *
 * node-tar parses pax headers but keeps only the fields it knows, dropping `SCHILY.xattr.<name>`
 * (GNU tar, Go's archive/tar, Docker) and `LIBARCHIVE.xattr.<name>` (bsdtar). It does hand out the
 * header's body as text (its 'meta' event); this reads the xattr records from it. node-tar decodes
 * that body as UTF-8, so a raw value that is not valid UTF-8 cannot be recovered: the records
 * carry their byte length, which then no longer matches, and such an entry is reported as lossy
 * rather than given a wrong value. (Capability sets are mostly ASCII-range bytes and survive.)
 */
export interface PaxXattrs {
  xattrs: Map<string, Buffer>;
  /** True when some record could not be read back exactly. */
  lossy: boolean;
}

const REPLACEMENT = Buffer.from("\uFFFD", "utf8");

export function paxXattrs(body: string): PaxXattrs | null {
  if (!body.includes("xattr.")) return null;
  const bytes = Buffer.from(body, "utf8");
  const xattrs = new Map<string, Buffer>();
  let pos = 0;
  let lossy = false;
  while (pos < bytes.length) {
    const space = bytes.indexOf(0x20, pos);
    const length = space > pos ? Number(bytes.toString("latin1", pos, space)) : Number.NaN;
    const end = pos + length;
    if (!Number.isInteger(length) || length <= 0 || end > bytes.length || bytes[end - 1] !== 0x0a) {
      lossy = lossy || bytes.includes("xattr.", pos);
      break;
    }
    const record = bytes.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    const key = equals > 0 ? record.toString("utf8", 0, equals) : "";
    // U+FFFD is what the UTF-8 decoding put in place of bytes it could not read.
    if (key.includes("xattr.") && record.includes(REPLACEMENT, equals)) lossy = true;
    else if (key) addRecord(xattrs, key, record.subarray(equals + 1));
    pos = end;
  }
  return xattrs.size > 0 || lossy ? { xattrs, lossy } : null;
}

function addRecord(xattrs: Map<string, Buffer>, key: string, value: Buffer): void {
  if (key.startsWith("SCHILY.xattr.")) {
    xattrs.set(key.slice("SCHILY.xattr.".length), Buffer.from(value));
  } else if (key.startsWith("LIBARCHIVE.xattr.")) {
    // bsdtar: name URL-encoded, value base64.
    xattrs.set(decodeURIComponent(key.slice("LIBARCHIVE.xattr.".length)), Buffer.from(value.toString("latin1"), "base64"));
  }
}
