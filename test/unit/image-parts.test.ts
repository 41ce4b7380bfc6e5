/** Pure pieces of the image store: chain IDs, entry names, in-root resolution, pax xattr records, compression sniffing. */
import { randomBytes } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { chainIds, sha256 } from "../../provider/linux/images/digest.js";
import { blobCompression, compressionOf, decompressor, sniffCompression, zstdDecompressor, decompressedFile } from "../../provider/linux/images/decompress.js";
import { zstdProgram } from "../../provider/linux/images/zstd-process.js";
import { paxXattrs } from "../../provider/linux/images/pax-xattrs.js";
import { entryComponents, resolveDirInRoot } from "../../provider/linux/images/safe-path.js";
import { gzip, HAS_ZSTD, zstd } from "../fixtures/images/archives.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";

const temp = new TempRoots();
afterEach(() => temp.cleanup());

describe("chain IDs", () => {
  it("follow the OCI definition", () => {
    const [a, b, c] = ["a", "b", "c"].map((x) => sha256(x));
    expect(chainIds([a, b, c])).toEqual([a, sha256(`${a} ${b}`), sha256(`${sha256(`${a} ${b}`)} ${c}`)]);
  });
});

describe("entry names", () => {
  it("are made relative and normalized; climbing out is refused", () => {
    expect(entryComponents("./etc/passwd")).toEqual(["etc", "passwd"]);
    expect(entryComponents("/etc//x/./y/")).toEqual(["etc", "x", "y"]);
    expect(entryComponents("a/b/../c")).toEqual(["a", "c"]);
    expect(entryComponents("./")).toEqual([]);
    expect(() => entryComponents("../x")).toThrow(/outside the layer/);
    expect(() => entryComponents("a/../../x")).toThrow(/outside the layer/);
  });

  it("resolve through symlinks as a chroot would", () => {
    const root = temp.make("root");
    mkdirSync(join(root, "usr/lib"), { recursive: true });
    symlinkSync("usr/lib", join(root, "lib"));
    symlinkSync("/usr", join(root, "abs"));
    symlinkSync("../../../../..", join(root, "up"));
    symlinkSync("loop", join(root, "loop"));
    expect(resolveDirInRoot(root, ["lib", "x"], { createDir: (p) => mkdirSync(p) })).toEqual(["usr", "lib", "x"]);
    expect(resolveDirInRoot(root, ["abs", "lib"])).toEqual(["usr", "lib"]);
    expect(resolveDirInRoot(root, ["up", "usr"])).toEqual(["usr"]);
    expect(resolveDirInRoot(root, ["missing"])).toBeNull();
    expect(() => resolveDirInRoot(root, ["loop", "x"])).toThrow(/too many symlinks/);
  });
});

describe("pax xattr records", () => {
  const record = (key: string, value: string) => {
    const rest = ` ${key}=${value}\n`;
    let n = Buffer.byteLength(rest) + 1;
    while (String(n).length + Buffer.byteLength(rest) !== n) n = String(n).length + Buffer.byteLength(rest);
    return `${n}${rest}`;
  };

  it("reads SCHILY and LIBARCHIVE xattrs and ignores other records", () => {
    const body = record("path", "x") + record("SCHILY.xattr.user.note", "héllo\nworld") + record("LIBARCHIVE.xattr.user.b64", Buffer.from([1, 2, 250]).toString("base64"));
    const parsed = paxXattrs(body);
    expect(parsed?.lossy).toBe(false);
    expect(parsed?.xattrs.get("user.note")?.toString()).toBe("héllo\nworld");
    expect([...(parsed?.xattrs.get("user.b64") ?? [])]).toEqual([1, 2, 250]);
    expect(paxXattrs(record("path", "x"))).toBeNull();
  });

  it("flags a value that did not survive UTF-8 decoding instead of inventing one", () => {
    // what node-tar hands over for a raw 0xff byte: U+FFFD, and a length that no longer matches
    const body = `25 SCHILY.xattr.user.x=\uFFFD\n`;
    expect(paxXattrs(body)?.lossy).toBe(true);
    expect(paxXattrs(body)?.xattrs.size).toBe(0);
  });
});

describe("compression", () => {
  it("is told by media type and by magic bytes, and they must agree", () => {
    expect(sniffCompression(gzip(Buffer.from("x")))).toBe("gzip");
    expect(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe("zstd");
    expect(sniffCompression(Buffer.from("etc/passwd"))).toBe("none");
    expect(compressionOf("application/vnd.docker.image.rootfs.diff.tar.gzip")).toBe("gzip");
    expect(() => compressionOf("application/vnd.oci.image.layer.v1.tar+bzip2")).toThrow(/unsupported layer media type/);
    const path = join(temp.make("blob"), "b");
    writeFileSync(path, gzip(Buffer.from("x")));
    expect(() => blobCompression(path, "application/vnd.oci.image.layer.v1.tar+zstd")).toThrow(/declared .*zstd but its bytes are gzip/);
  });

  it.skipIf(!HAS_ZSTD)("decodes zstd streams chunk by chunk and reports a truncated one", async () => {
    const data = randomBytes(3 * 2 ** 20); // incompressible: many blocks, many chunks
    const packed = zstd(data);
    const chunks = Array.from({ length: Math.ceil(packed.length / 1000) }, (_, i) => packed.subarray(i * 1000, (i + 1) * 1000));
    const read = async (input: Buffer[]) => {
      const out: Buffer[] = [];
      for await (const chunk of Readable.from(input).pipe(decompressor("zstd") as NodeJS.ReadWriteStream)) out.push(chunk as Buffer);
      return Buffer.concat(out);
    };
    expect((await read(chunks)).equals(data)).toBe(true);
    await expect(read(chunks.slice(0, -3))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
  });

  it.skipIf(!HAS_ZSTD)("the zstd program and fzstd decode alike, and both call a truncated or garbled stream LAYER_CORRUPT", async () => {
    const data = Buffer.concat([randomBytes(2 ** 20), Buffer.alloc(2 ** 20, "a")]);
    const packed = zstd(data);
    const read = async (program: string | null, input: Buffer) => {
      const out: Buffer[] = [];
      for await (const chunk of Readable.from([input.subarray(0, 5000), input.subarray(5000)]).pipe(zstdDecompressor(program) as NodeJS.ReadWriteStream)) out.push(chunk as Buffer);
      return Buffer.concat(out);
    };
    const garbled = Buffer.from(packed);
    garbled.fill(0xff, 4, 12); // frame and first block header
    for (const program of [zstdProgram(), null]) {
      expect((await read(program, packed)).equals(data)).toBe(true);
      await expect(read(program, packed.subarray(0, packed.length - 100))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
      await expect(read(program, garbled)).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    }
  });

  it.skipIf(!HAS_ZSTD)("reads a zstd file through its own pipe: whole, truncated, garbled, and stopped early", async () => {
    const data = Buffer.concat([randomBytes(3 * 2 ** 20), Buffer.alloc(2 ** 20, "a")]);
    const packed = zstd(data);
    const dir = temp.make("zstd-files");
    const fileOf = (name: string, bytes: Buffer) => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    };
    const garbled = Buffer.from(packed);
    garbled.fill(0xff, 4, 12);
    const read = async (path: string) => {
      const out: Buffer[] = [];
      for await (const chunk of decompressedFile(path, "zstd")) out.push(chunk as Buffer);
      return Buffer.concat(out);
    };
    expect((await read(fileOf("whole", packed))).equals(data)).toBe(true);
    await expect(read(fileOf("truncated", packed.subarray(0, packed.length - 100)))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    await expect(read(fileOf("garbled", garbled))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    await expect(read(join(dir, "missing"))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    const stream = decompressedFile(fileOf("early", packed), "zstd") as Readable & { child: import("node:child_process").ChildProcess };
    for await (const _ of stream) break; // destroys the stream: zstd is killed, the pipe closed
    await new Promise((resolve) => (stream.child.exitCode !== null || stream.child.signalCode !== null ? resolve(null) : stream.child.once("exit", resolve)));
    expect(stream.child.signalCode ?? stream.child.exitCode).not.toBe(null);
  });
});
