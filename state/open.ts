/** Open the state store a URL names: a SQLite file path (default), or postgres:// for teams. */
import { StateError } from "../core/errors.js";
import type { StateStore } from "../core/state-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";

export async function openStateStore(url: string): Promise<StateStore> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new StateError("STATE_BACKEND", `${url.replace(/:[^:@/]*@/, ":***@")}: the PostgreSQL backend is not available in this build`);
  }
  return new SqliteStore(url.replace(/^sqlite:\/\//, ""));
}
