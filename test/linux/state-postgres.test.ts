/** The state-store conformance suite against a real PostgreSQL server on 127.0.0.1 (scripts/ci-postgres.sh). */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PostgresStore } from "../../state/postgres/postgres-store.js";
import { stateStoreSuite } from "../conformance/state-store-suite.js";

const url = process.env.CINFRA_TEST_PG_URL
  ?? execFileSync("bash", [join(import.meta.dirname, "../../scripts/ci-postgres.sh")], { encoding: "utf8" }).trim();

stateStoreSuite("postgres", {
  async open() {
    return { store: await PostgresStore.open(url), again: () => PostgresStore.open(url) };
  },
});
