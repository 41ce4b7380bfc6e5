/**
 * The state-store conformance suite against a real PostgreSQL server on 127.0.0.1: CINFRA_TEST_PG_URL, or
 * the one scripts/ci-postgres.sh runs (started here, and stopped afterwards, when it was not running).
 * Tables live in a per-run schema that is dropped at the end.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../state/postgres/postgres-store.js";
import { openStateStore } from "../../state/open.js";
import { stateStoreSuite } from "../conformance/state-store-suite.js";
import { runTag } from "../helpers/busybox-rootfs.js";

const script = join(import.meta.dirname, "../../scripts/ci-postgres.sh");
const startedHere = !process.env.CINFRA_TEST_PG_URL && spawnSync("bash", [script, "status"]).status !== 0;
const base = process.env.CINFRA_TEST_PG_URL ?? execFileSync("bash", [script], { encoding: "utf8" }).trim();
const schema = `cinfra${runTag()}`;
const url = `${base}${base.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin(`CREATE SCHEMA ${schema}`));
afterAll(async () => {
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  if (startedHere) execFileSync("bash", [script, "stop"]);
});

stateStoreSuite("postgres", {
  async open() {
    return { store: await openPostgresStore(url), again: () => openPostgresStore(url), url };
  },
});

describe("postgres state specifics", () => {
  it("is what openStateStore picks for a postgres:// URL, with tables in the URL's schema", async () => {
    const stack = `only${runTag()}`;
    const store = await openStateStore(url);
    await store.putResource(stack, { urn: "volume.v", kind: "volume", name: "v", id: "1", inputs: {}, outputs: {}, dependsOn: [] });
    await store.close();
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    const rows = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.cinfra_resources WHERE stack = $1`, [stack]);
    await client.end();
    expect(rows.rows[0].n).toBe("1");
  });

  it("reports an unreachable server as STATE_IO without the password", async () => {
    const failure = await openPostgresStore("postgres://cinfra:secretpw@127.0.0.1:1/cinfra").catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "STATE_IO" });
    expect((failure as Error).message).toContain("127.0.0.1:1");
    expect((failure as Error).message).not.toContain("secretpw");
  });
});
