/** ANSI styling, only when the stream is a terminal and NO_COLOR is unset. */
export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const plain = (s: string) => s;

export function styleFor(stream: NodeJS.WriteStream): Style {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  return on
    ? { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2) }
    : { green: plain, yellow: plain, red: plain, bold: plain, dim: plain };
}
