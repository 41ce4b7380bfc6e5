/** Reconcile log lines: plain text for a terminal or journald, or one JSON object per line for a collector. */
export type LogFormat = "text" | "json";
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined | object>;

export type Logger = (level: LogLevel, msg: string, fields?: LogFields) => void;

export function createLogger(format: LogFormat, out: { write(text: string): unknown } = process.stdout, now = () => new Date()): Logger {
  return (level, msg, fields = {}) => {
    const time = now().toISOString();
    const defined = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (format === "json") {
      out.write(`${JSON.stringify({ time, level, msg, ...Object.fromEntries(defined) })}\n`);
      return;
    }
    const rest = defined.map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`).join(" ");
    out.write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${rest ? ` ${rest}` : ""}\n`);
  };
}
