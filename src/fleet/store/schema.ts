/**
 * The fleet store's schema: one DDL text for SQLite and PostgreSQL, applied by version number.
 *
 * Both dialects read the same text. The few places where they differ are `{{TOKENS}}` filled in by
 * {@link renderMigration}, each one explained in {@link DIALECT_TOKENS}. Everything else is the
 * common subset of the two: TEXT for strings, INTEGER for numbers, CHECK constraints for enums,
 * `IF NOT EXISTS`, foreign keys, and `ON CONFLICT ... DO UPDATE` (SQLite 3.24+, PostgreSQL 9.5+).
 *
 * Times are ISO 8601 strings in TEXT columns (as `new Date().toISOString()` writes them): they sort
 * as text, round-trip exactly through both backends, and spare us PostgreSQL's timestamptz vs.
 * SQLite's lack of a time type. JSON (a run's summary, a row's reasons) is TEXT too, for the same
 * reason: SQLite has no JSON column type and we never query inside it.
 *
 * Nothing here has a column for a secret (docs/store.md, "What is never stored").
 */
import type { CampaignAction, CampaignStatus, DevicePhase } from './fleet-store.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** Every value of the enums, in one place, so CHECK constraints and row validation agree. */
export const CAMPAIGN_ACTIONS: readonly CampaignAction[] = ['sync', 'reboot', 'remediate', 'clear'];
/** The actions migration 1 allowed: a released migration never changes, so it keeps its own list. */
const V1_CAMPAIGN_ACTIONS: readonly CampaignAction[] = ['sync', 'reboot', 'remediate'];
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['running', 'stopped', 'finished', 'abandoned'];
/** The statuses migrations 1 and 2 allowed (released migrations keep their own list). */
const V1_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['running', 'stopped', 'finished'];
export const DEVICE_PHASES: readonly DevicePhase[] = [
  'pending',
  'posting',
  'posted',
  'unconfirmed',
  'synced',
  'compliant',
  'failed',
  'timed-out',
];

function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(', ');
}

/**
 * The dialect differences, and only those.
 * - AUTO_ID: a run id the database assigns and never reuses. SQLite: INTEGER PRIMARY KEY is the
 *   rowid, and AUTOINCREMENT stops a deleted maximum from being handed out again
 *   (sqlite.org/autoinc.html). PostgreSQL: an identity column (SQL standard, PostgreSQL 10+).
 */
const DIALECT_TOKENS: Record<StoreDialect, Record<string, string>> = {
  sqlite: {
    AUTO_ID: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  },
  postgres: {
    AUTO_ID: 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  },
};

/**
 * Phases of a device whose POST may have reached Graph although no answer (postedAt) is recorded:
 * `posting` and `unconfirmed` (sent, answer unknown) and `failed` (Graph refused it, but it was a
 * request Graph served). As SQL string literals, for postTimesSince.
 */
export const SENT_WITHOUT_ANSWER_SQL = "'posting', 'unconfirmed', 'failed'";

/** The table that records which migrations ran; created before any migration. */
export const SCHEMA_VERSION_DDL = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL PRIMARY KEY,
  applied_at TEXT NOT NULL
)`;

export interface Migration {
  version: number;
  /** What the migration does, for the record. */
  summary: string;
  /**
   * Statements in the common dialect, with `{{TOKENS}}` where the dialects differ; or, for a change
   * the two cannot say alike (SQLite cannot alter a CHECK constraint), one list per dialect.
   */
  statements: readonly string[] | Readonly<Record<StoreDialect, readonly string[]>>;
}

/**
 * campaigns as migration 1 made it, with the action CHECK of `actions` and the status CHECK of
 * `statuses`, under `name`; with migration 3's tenant_key column when `tenantKey`.
 */
function campaignsTable(
  name: string,
  actions: readonly CampaignAction[],
  statuses: readonly CampaignStatus[],
  tenantKey = false,
): string {
  return `CREATE TABLE ${name} (
  id TEXT NOT NULL PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN (${sqlList(actions)})),
  status TEXT NOT NULL CHECK (status IN (${sqlList(statuses)})),
  target TEXT NOT NULL,
  selection TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deadline TEXT NOT NULL,
  script_id TEXT${tenantKey ? ',\n  tenant_key TEXT' : ''}
)`;
}

/** campaign_devices as migration 1 made it, under `name`, referencing `campaignsName`. */
function campaignDevicesTable(name: string, campaignsName: string): string {
  return `CREATE TABLE ${name} (
  campaign_id TEXT NOT NULL REFERENCES ${campaignsName} (id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  device_name TEXT,
  baseline_sync TEXT,
  phase TEXT NOT NULL CHECK (phase IN (${sqlList(DEVICE_PHASES)})),
  posted_at TEXT,
  last_sync TEXT,
  compliant_at TEXT,
  error TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (campaign_id, device_id)
)`;
}

const CAMPAIGN_COLUMNS = 'id, action, status, target, selection, created_at, updated_at, deadline, script_id';
const DEVICE_COLUMNS =
  'campaign_id, device_id, device_name, baseline_sync, phase, posted_at, last_sync, compliant_at, error, updated_at';

/**
 * Migrations by version number, oldest first. Append only: a released migration never changes,
 * because stores in the field already ran it; a later one alters what it made.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: 'campaigns, campaign devices, triage runs and rows',
    statements: [
      `CREATE TABLE campaigns (
  id TEXT NOT NULL PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN (${sqlList(V1_CAMPAIGN_ACTIONS)})),
  status TEXT NOT NULL CHECK (status IN (${sqlList(V1_CAMPAIGN_STATUSES)})),
  target TEXT NOT NULL,
  selection TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deadline TEXT NOT NULL,
  script_id TEXT
)`,
      `CREATE TABLE campaign_devices (
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  device_name TEXT,
  baseline_sync TEXT,
  phase TEXT NOT NULL CHECK (phase IN (${sqlList(DEVICE_PHASES)})),
  posted_at TEXT,
  last_sync TEXT,
  compliant_at TEXT,
  error TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (campaign_id, device_id)
)`,
      // Tracking reads a campaign's devices by phase ("every posted device"), and phaseCounts groups by it.
      'CREATE INDEX campaign_devices_by_phase ON campaign_devices (campaign_id, phase)',
      // finished_at stays NULL until finishTriage: a run a crash left unfinished is never "the latest".
      `CREATE TABLE triage_runs (
  id {{AUTO_ID}},
  created_at TEXT NOT NULL,
  finished_at TEXT,
  target TEXT NOT NULL,
  summary TEXT
)`,
      `CREATE TABLE triage_rows (
  run_id INTEGER NOT NULL REFERENCES triage_runs (id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  device_name TEXT,
  azure_ad_device_id TEXT,
  triage_class TEXT NOT NULL,
  clear_safety TEXT NOT NULL,
  last_sync TEXT,
  reasons TEXT NOT NULL,
  PRIMARY KEY (run_id, device_id)
)`,
      // A campaign selects a run's devices by class ("every tpm-clear-safe device of run 3").
      'CREATE INDEX triage_rows_by_class ON triage_rows (run_id, triage_class)',
    ],
  },
  {
    version: 2,
    summary: "campaign action 'clear' (the gated fleet clear campaign)",
    statements: {
      // SQLite cannot alter a CHECK constraint: the two campaign tables are rebuilt
      // (sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"). The child
      // is rebuilt too and the old one dropped first, because dropping a parent with
      // foreign_keys=ON deletes its rows and would cascade to the devices. Since SQLite 3.26 a
      // rename rewrites the REFERENCES clauses that name the renamed table, so the new child ends
      // up referencing `campaigns`.
      sqlite: [
        campaignsTable('campaigns_v2', CAMPAIGN_ACTIONS, V1_CAMPAIGN_STATUSES),
        `INSERT INTO campaigns_v2 (${CAMPAIGN_COLUMNS}) SELECT ${CAMPAIGN_COLUMNS} FROM campaigns`,
        campaignDevicesTable('campaign_devices_v2', 'campaigns_v2'),
        `INSERT INTO campaign_devices_v2 (${DEVICE_COLUMNS}) SELECT ${DEVICE_COLUMNS} FROM campaign_devices`,
        'DROP TABLE campaign_devices',
        'DROP TABLE campaigns',
        'ALTER TABLE campaigns_v2 RENAME TO campaigns',
        'ALTER TABLE campaign_devices_v2 RENAME TO campaign_devices',
        'CREATE INDEX campaign_devices_by_phase ON campaign_devices (campaign_id, phase)',
      ],
      // PostgreSQL names a column's CHECK constraint <table>_<column>_check.
      postgres: [
        'ALTER TABLE campaigns DROP CONSTRAINT campaigns_action_check',
        `ALTER TABLE campaigns ADD CONSTRAINT campaigns_action_check CHECK (action IN (${sqlList(CAMPAIGN_ACTIONS)}))`,
      ],
    },
  },
  {
    version: 3,
    summary: "the tenant's own key beside the display target of campaigns and triage runs",
    // NULL in rows written before: tenant pinning then compares the display target, as it did
    // (src/plan/tenant-pinning.ts). ADD COLUMN of a nullable column without a default is the same
    // statement in both dialects and rewrites no row.
    statements: [
      'ALTER TABLE campaigns ADD COLUMN tenant_key TEXT',
      'ALTER TABLE triage_runs ADD COLUMN tenant_key TEXT',
    ],
  },
  {
    version: 4,
    summary: "campaign status 'abandoned' (fleet abandon: never posted again, never resumed)",
    statements: {
      // As migration 2: SQLite rebuilds the two campaign tables to change a CHECK constraint, the
      // campaigns table now with migration 3's tenant_key.
      sqlite: [
        campaignsTable('campaigns_v4', CAMPAIGN_ACTIONS, CAMPAIGN_STATUSES, true),
        `INSERT INTO campaigns_v4 (${CAMPAIGN_COLUMNS}, tenant_key) SELECT ${CAMPAIGN_COLUMNS}, tenant_key FROM campaigns`,
        campaignDevicesTable('campaign_devices_v4', 'campaigns_v4'),
        `INSERT INTO campaign_devices_v4 (${DEVICE_COLUMNS}) SELECT ${DEVICE_COLUMNS} FROM campaign_devices`,
        'DROP TABLE campaign_devices',
        'DROP TABLE campaigns',
        'ALTER TABLE campaigns_v4 RENAME TO campaigns',
        'ALTER TABLE campaign_devices_v4 RENAME TO campaign_devices',
        'CREATE INDEX campaign_devices_by_phase ON campaign_devices (campaign_id, phase)',
      ],
      postgres: [
        'ALTER TABLE campaigns DROP CONSTRAINT campaigns_status_check',
        `ALTER TABLE campaigns ADD CONSTRAINT campaigns_status_check CHECK (status IN (${sqlList(CAMPAIGN_STATUSES)}))`,
      ],
    },
  },
  {
    version: 5,
    summary: "triage rows keep the device's hardware and failing-setting facts, for the console's filters",
    // As migration 3: nullable columns without a default, the same statement in both dialects. NULL
    // in rows written before reads as `unknown` (row-mapping.ts). setting_errors is JSON text, as
    // reasons is; the console filters the run's rows in memory (src/console/triage-index.ts).
    statements: [
      'ALTER TABLE triage_rows ADD COLUMN manufacturer TEXT',
      'ALTER TABLE triage_rows ADD COLUMN model TEXT',
      'ALTER TABLE triage_rows ADD COLUMN tpm_manufacturer TEXT',
      'ALTER TABLE triage_rows ADD COLUMN tpm_version TEXT',
      'ALTER TABLE triage_rows ADD COLUMN firmware TEXT',
      'ALTER TABLE triage_rows ADD COLUMN setting_errors TEXT',
    ],
  },
  {
    version: 6,
    summary: "every Graph write per tenant, for the next process's write budget; how to resume a campaign",
    // graph_writes: one row per write request that left (a bulk action or a $batch of writes
    // counts its writes in `writes`), whatever command sent it (a triage's report export jobs too),
    // so that the next process seeds its budget with what Graph's window still holds
    // (docs/campaigns.md, "Writes of an earlier run"). Rows older than an hour are deleted as new
    // ones arrive. resume_options: the connection options `fleet resume` needs (JSON; never a
    // secret, docs/store.md), NULL in campaigns stored before. The same statements in both
    // dialects (as migration 3).
    statements: [
      `CREATE TABLE graph_writes (
  id {{AUTO_ID}},
  target TEXT NOT NULL,
  tenant_key TEXT,
  service TEXT NOT NULL,
  writes INTEGER NOT NULL CHECK (writes > 0),
  sent_at TEXT NOT NULL
)`,
      'CREATE INDEX graph_writes_by_time ON graph_writes (sent_at)',
      'ALTER TABLE campaigns ADD COLUMN resume_options TEXT',
    ],
  },
];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** A migration's statements in one dialect's SQL. Throws on a token the dialect does not define. */
export function renderMigration(migration: Migration, dialect: StoreDialect): string[] {
  const tokens = DIALECT_TOKENS[dialect];
  const statements = isDialectList(migration.statements)
    ? migration.statements
    : migration.statements[dialect];
  return statements.map((statement) =>
    statement.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
      const value = tokens[name];
      if (value === undefined) {
        throw new Error(`schema migration ${migration.version}: no ${dialect} text for {{${name}}}`);
      }
      return value;
    }),
  );
}

function isDialectList(statements: Migration['statements']): statements is readonly string[] {
  return Array.isArray(statements);
}
