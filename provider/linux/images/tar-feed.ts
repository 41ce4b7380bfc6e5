/**
 * How the layer's bytes reach node-tar's Parser: in whole 512-byte blocks, with a record of which
 * piece of the archive it is reading, so a file's bytes can be located in the archive (and, for an
 * uncompressed blob, copied from it by the kernel instead of through JavaScript).
 */
import type { Parser } from "tar";

const BLOCK = 512;

/**
 * Feeds the parser whole 512-byte tar blocks. node-tar copies every chunk that follows one that
 * ended mid-block (it concatenates the leftover with the whole next chunk), and reads from a pipe
 * end anywhere; joining only the few straddling bytes here saves copying the layer a second time.
 */
export function wholeBlocks(parser: Parser, fed: Fed): { write(chunk: Buffer): void; end(): void } {
  let partial: Buffer | null = null;
  let offset = 0; // in the archive, of the next byte to arrive
  const feed = (piece: Buffer, start: number) => {
    fed.piece = piece;
    fed.start = start;
    parser.write(piece);
  };
  return {
    write(chunk) {
      let start = offset;
      offset += chunk.length;
      if (partial) {
        const missing = BLOCK - partial.length;
        if (chunk.length < missing) {
          partial = Buffer.concat([partial, chunk]);
          return;
        }
        const joined = Buffer.concat([partial, chunk.subarray(0, missing)]);
        partial = null;
        feed(joined, start - (BLOCK - missing));
        chunk = chunk.subarray(missing);
        start += missing;
      }
      const whole = chunk.length - (chunk.length % BLOCK);
      if (whole > 0) feed(whole === chunk.length ? chunk : chunk.subarray(0, whole), start);
      if (whole < chunk.length) partial = chunk.subarray(whole);
    },
    end() {
      if (partial) feed(partial, offset - partial.length);
      parser.end();
    },
  };
}

/** The piece of the archive the parser is reading, and its offset in the archive. */
export interface Fed {
  piece: Buffer;
  start: number;
}

/** Where `data`, handed out by the parser while it reads `fed.piece`, sits in the archive; undefined if it is not a view of that piece. */
export function archiveOffset(data: Buffer, fed: Fed): number | undefined {
  const at = data.byteOffset - fed.piece.byteOffset;
  return data.buffer === fed.piece.buffer && at >= 0 && at + data.length <= fed.piece.length ? fed.start + at : undefined;
}
