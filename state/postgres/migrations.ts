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
  // 2: stack config and its key record (as SQLite's 2), the lock holder's process start token and acquisition token (SQLite's 3).
  `CREATE TABLE IF NOT EXISTS cinfra_config (
     stack TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     secret BOOLEAN NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (stack, key)
   );
   CREATE TABLE IF NOT EXISTS cinfra_secrets_keys (
     stack TEXT PRIMARY KEY,
     kdf TEXT NOT NULL,
     salt TEXT NOT NULL,
     check_value TEXT NOT NULL
   );
   ALTER TABLE cinfra_locks ADD COLUMN IF NOT EXISTS pid_start TEXT;
   ALTER TABLE cinfra_locks ADD COLUMN IF NOT EXISTS token TEXT;`,
  // 3: the options that must outlive a resource's declaration (protect, retainOnDelete): SQLite's 4.
  `ALTER TABLE cinfra_resources ADD COLUMN IF NOT EXISTS options JSONB NOT NULL DEFAULT '{}'::jsonb;`,
];
