/**
 * Dockerfile words as Docker's shell lexer reads them: whitespace splits words, '...' is literal,
 * "..." expands variables and lets the escape character escape only `"`, `$` and itself, an
 * unquoted escape character takes the next character literally. Variables: $NAME, ${NAME},
 * ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}, ${NAME:?msg}, ${NAME?msg}.
 * Unset variables expand to "" (as in Docker).
 */

/** A lexing problem; the parser adds the Dockerfile path and line. */
export class WordSyntaxError extends Error {}

export type Lookup = (name: string) => string | undefined;

export interface LexOptions {
  escape: string;
  /** Variables; null leaves `$…` as written (the parse-time syntax check). */
  lookup: Lookup | null;
  /** Split on whitespace (false: the whole text is one word, quotes still removed). */
  split: boolean;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

class Lexer {
  i = 0;
  constructor(readonly text: string, readonly o: LexOptions) {}

  /** Read a word body until `stop` (a char outside quotes) or the end; `stop` is not consumed. */
  word(stop: (c: string) => boolean): string {
    let out = "";
    const { text, o } = this;
    while (this.i < text.length && !stop(text[this.i])) {
      const c = text[this.i];
      if (c === o.escape) {
        this.i += 1;
        if (this.i < text.length) out += text[this.i++];
        else out += c; // a trailing escape stays
      } else if (c === "'") {
        const end = text.indexOf("'", this.i + 1);
        if (end < 0) throw new WordSyntaxError("unterminated single quote");
        out += text.slice(this.i + 1, end);
        this.i = end + 1;
      } else if (c === '"') {
        out += this.doubleQuoted();
      } else if (c === "$") {
        out += this.variable();
      } else {
        out += c;
        this.i += 1;
      }
    }
    return out;
  }

  private doubleQuoted(): string {
    const { text, o } = this;
    let out = "";
    this.i += 1;
    for (;;) {
      if (this.i >= text.length) throw new WordSyntaxError("unterminated double quote");
      const c = text[this.i];
      if (c === '"') {
        this.i += 1;
        return out;
      }
      if (c === o.escape && ['"', "$", o.escape].includes(text[this.i + 1])) {
        out += text[this.i + 1];
        this.i += 2;
      } else if (c === "$") {
        out += this.variable();
      } else {
        out += c;
        this.i += 1;
      }
    }
  }

  private variable(): string {
    const { text, o } = this;
    const start = this.i;
    this.i += 1; // the '$'
    if (text[this.i] === "{") {
      this.i += 1;
      const name = this.name();
      if (!name) throw new WordSyntaxError(`bad substitution: "${text.slice(start, start + 12)}…" has no variable name`);
      let op = "";
      const isOp = (c: string | undefined) => c !== undefined && "-+?".includes(c);
      if (this.i >= text.length) throw new WordSyntaxError(`missing "}" in "${text.slice(start)}"`);
      if (text[this.i] === ":" && isOp(text[this.i + 1])) op = text.slice(this.i, this.i + 2);
      else if (isOp(text[this.i])) op = text[this.i];
      else if (text[this.i] !== "}") throw new WordSyntaxError(`bad substitution: unsupported modifier in "${text.slice(start, this.i + 1)}"`);
      this.i += op.length;
      const word = op ? this.word((c) => c === "}") : "";
      if (text[this.i] !== "}") throw new WordSyntaxError(`missing "}" in "${text.slice(start)}"`);
      this.i += 1;
      if (o.lookup === null) return text.slice(start, this.i);
      return substitute(name, op, word, o.lookup(name));
    }
    const name = this.name();
    if (!name) return "$"; // a lone '$' is literal
    return o.lookup === null ? `$${name}` : o.lookup(name) ?? "";
  }

  private name(): string {
    const start = this.i;
    while (this.i < this.text.length && NAME_CHAR.test(this.text[this.i])) this.i += 1;
    return this.text.slice(start, this.i);
  }
}

function substitute(name: string, op: string, word: string, value: string | undefined): string {
  const set = value !== undefined;
  const nonEmpty = set && value !== "";
  switch (op) {
    case ":-": return nonEmpty ? value! : word;
    case "-": return set ? value! : word;
    case ":+": return nonEmpty ? word : "";
    case "+": return set ? word : "";
    case ":?": if (!nonEmpty) throw new WordSyntaxError(`${name}: ${word || "is not set or empty"}`); return value!;
    case "?": if (!set) throw new WordSyntaxError(`${name}: ${word || "is not set"}`); return value!;
    default: return value ?? "";
  }
}

const SPACE = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";

/** The words of `text` (quotes removed, variables expanded unless `lookup` is null). */
export function lexWords(text: string, options: LexOptions): string[] {
  const lexer = new Lexer(text, options);
  if (!options.split) return [lexer.word(() => false)];
  const words: string[] = [];
  for (;;) {
    while (lexer.i < text.length && SPACE(text[lexer.i])) lexer.i += 1;
    if (lexer.i >= text.length) return words;
    words.push(lexer.word(SPACE));
  }
}

/** One word: the whole text with quotes removed and variables expanded (WORKDIR, USER, …). */
export function expandWord(text: string, escape: string, lookup: Lookup): string {
  return lexWords(text, { escape, lookup, split: false })[0];
}

/** `key=value` pairs (ENV, LABEL, ARG): split at the first '=' of each word. */
export function splitPairs(words: string[]): { key: string; value: string | undefined }[] {
  return words.map((w) => {
    const eq = w.indexOf("=");
    return eq < 0 ? { key: w, value: undefined } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}
