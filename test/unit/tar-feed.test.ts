/** tar-feed.ts: whatever sizes the layer arrives in, the parser sees whole blocks and every file byte is located in the archive. */
import { Parser, type ReadEntry } from "tar";
import { expect, it } from "vitest";
import { archiveOffset, wholeBlocks, type Fed } from "../../provider/linux/images/tar-feed.js";
import { dir, file, tarOf } from "../fixtures/images/archives.js";

const bodies = ["", "a", "x".repeat(511), "y".repeat(512), "z".repeat(513), "w".repeat(70_000)];
const archive = tarOf([dir("d"), ...bodies.map((body, i) => file(`d/f${i}`, body))]);

async function parseInChunks(sizes: () => number) {
  const parser = new Parser({ strict: true });
  const fed: Fed = { piece: Buffer.alloc(0), start: 0 };
  const feed = wholeBlocks(parser, fed);
  const files = new Map<string, Buffer[]>();
  const pieceLengths: number[] = [];
  let located = true;
  parser.on("entry", (entry: ReadEntry) => {
    const chunks: Buffer[] = [];
    files.set(entry.path, chunks);
    pieceLengths.push(fed.piece.length);
    entry.on("data", (chunk: Buffer) => {
      const at = archiveOffset(chunk, fed);
      if (at === undefined || !archive.subarray(at, at + chunk.length).equals(chunk)) located = false;
      chunks.push(chunk);
    });
  });
  const ended = new Promise((resolve) => parser.once("end", resolve));
  for (let at = 0; at < archive.length; ) {
    const size = Math.min(sizes(), archive.length - at);
    feed.write(archive.subarray(at, at + size));
    at += size;
  }
  feed.end();
  await ended;
  return { files, located, pieceLengths };
}

it("hands the parser whole blocks and locates every file byte, in chunks of any size", async () => {
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) % 3000) + 1;
  for (const sizes of [() => 1, () => 511, () => 513, () => 4096, random]) {
    const { files, located, pieceLengths } = await parseInChunks(sizes);
    expect(located).toBe(true);
    expect(pieceLengths.every((length) => length % 512 === 0)).toBe(true);
    bodies.forEach((body, i) => expect(Buffer.concat(files.get(`d/f${i}`) ?? []).toString()).toBe(body));
  }
});
