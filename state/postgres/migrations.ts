/** PostgreSQL schema migrations (same tables as SQLite), applied in order; never edit a shipped one. */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS cinfra_stacks (
     name TEXT PRIMARY KEY,
     lineage TEXT NOT NULL,
     serial BIGINT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS cinfra_resources (
     stack TEXT NOT NULL REFERENCES cinfra_stacks(name) ON DELETE CASCADE,
     urn TEXT NOT NULL,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     id TEXT NOT NULL,
     inputs JSONB NOT NULL,
     outputs JSONB NOT NULL,
     depends_on JSONB NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
     PRIMARY KEY (stack, urn)
   );
   CREATE TABLE IF NOT EXISTS cinfra_pending (
     stack TEXT NOT NULL REFERENCES cinfra_stacks(name) ON DELETE CASCADE,
     urn TEXT NOT NULL,
     op TEXT NOT NULL,
     id TEXT NOT NULL,
     started_at TEXT NOT NULL,
     props JSONB,
     PRIMARY KEY (stack, urn)
   );
   CREATE TABLE IF NOT EXISTS cinfra_locks (
     stack TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     acquired_at TEXT NOT NULL,
     operation TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS cinfra_history (
     seq BIGSERIAL PRIMARY KEY,
     stack TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     "user" TEXT NOT NULL,
     command TEXT NOT NULL,
     summary JSONB NOT NULL,
     result TEXT NOT NULL
   );`,
];
