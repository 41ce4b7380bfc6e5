/**
 * A Dockerfile's text as logical lines: parser directives at the top (`# escape=``), comment and
 * blank lines dropped (also between continued lines, as Docker does), lines ending in the escape
 * character joined with the next one. Each logical line keeps the number of its first line.
 */
import { DockerfileError } from "../../../core/errors.js";

export interface LogicalLine {
  line: number;
  text: string;
}

export interface Lines {
  escape: string;
  lines: LogicalLine[];
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = ["escape", "syntax", "check"];

export function logicalLines(text: string, file: string): Lines {
  const physical = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let index = 0;
  // Directives: only before any comment, blank line or instruction.
  const seen = new Set<string>();
  for (; index < physical.length; index++) {
    const m = DIRECTIVE.exec(physical[index]);
    if (!m) break;
    const name = m[1].toLowerCase();
    if (!KNOWN_DIRECTIVES.includes(name)) break; // an ordinary comment
    if (seen.has(name)) throw new DockerfileError(file, index + 1, `parser directive "${name}" given twice`);
    seen.add(name);
    if (name === "escape") {
      if (m[2] !== "\\" && m[2] !== "`") throw new DockerfileError(file, index + 1, `invalid escape character ${JSON.stringify(m[2])} (use \\ or \`)`);
      escape = m[2];
    }
  }
  const continued = new RegExp(`${escape === "\\" ? "\\\\" : "`"}[ \\t]*$`);
  const lines: LogicalLine[] = [];
  let current: LogicalLine | null = null;
  for (; index < physical.length; index++) {
    const raw = physical[index];
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue; // also inside a continuation
    const text: string = current ? raw : raw.trimStart();
    const m = continued.exec(text);
    const body: string = m ? text.slice(0, m.index) : text;
    if (current) current.text += body;
    else current = { line: index + 1, text: body };
    if (!m) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current); // a continuation at the end of the file ends the instruction
  return { escape, lines };
}
