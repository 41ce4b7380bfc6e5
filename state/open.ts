/** Open the state store a URL names: a SQLite file path (default), or postgres:// for teams. */
import { openPostgresStore } from "./postgres/postgres-store.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import type { FullStateStore } from "./store-extras.js";

export async function openStateStore(url: string): Promise<FullStateStore> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url);
  return openSqliteStore(url.replace(/^sqlite:\/\//, ""));
}
