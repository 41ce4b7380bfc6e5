/** Numbered schema migrations, applied in order inside one transaction each. Never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE stacks (
     name TEXT PRIMARY KEY,
     lineage TEXT NOT NULL,
     serial INTEGER NOT NULL
   );
   CREATE TABLE resources (
     stack TEXT NOT NULL REFERENCES stacks(name) ON DELETE CASCADE,
     urn TEXT NOT NULL,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     id TEXT NOT NULL,
     inputs TEXT NOT NULL,
     outputs TEXT NOT NULL,
     depends_on TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (stack, urn)
   );
   CREATE TABLE pending (
     stack TEXT NOT NULL REFERENCES stacks(name) ON DELETE CASCADE,
     urn TEXT NOT NULL,
     op TEXT NOT NULL,
     id TEXT NOT NULL,
     started_at TEXT NOT NULL,
     props TEXT,
     PRIMARY KEY (stack, urn)
   );
   CREATE TABLE locks (
     stack TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     acquired_at TEXT NOT NULL,
     operation TEXT NOT NULL
   );
   CREATE TABLE history (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     stack TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     user TEXT NOT NULL,
     command TEXT NOT NULL,
     summary TEXT NOT NULL,
     result TEXT NOT NULL
   );`,
  // 2: stack config (`cinfra config set`); secret values sealed with the stack's key, whose salt and check live beside.
  `CREATE TABLE config (
     stack TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     secret INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (stack, key)
   );
   CREATE TABLE secrets_keys (
     stack TEXT PRIMARY KEY,
     kdf TEXT NOT NULL,
     salt TEXT NOT NULL,
     check_value TEXT NOT NULL
   );`,
  // 3: the lock holder's process start token, so a pid reused after a reboot does not keep a stale lock;
  //    and a random token per acquisition, so a release removes only its own row.
  `ALTER TABLE locks ADD COLUMN pid_start TEXT;
   ALTER TABLE locks ADD COLUMN token TEXT;`,
  // 4: the options that must outlive a resource's declaration (protect, retainOnDelete), as a JSON object.
  `ALTER TABLE resources ADD COLUMN options TEXT NOT NULL DEFAULT '{}';`,
];
