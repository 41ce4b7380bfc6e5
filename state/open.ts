/** Open the state store a URL names: a SQLite file path (default), or postgres:// for teams. */
import { PostgresStore } from "./postgres/postgres-store.js";
import type { StateStore } from "../core/state-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";

export async function openStateStore(url: string): Promise<StateStore> {
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresStore.open(url);
  return new SqliteStore(url.replace(/^sqlite:\/\//, ""));
}
