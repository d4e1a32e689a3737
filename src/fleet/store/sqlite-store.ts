/**
 * The fleet store in a SQLite file, through better-sqlite3 (synchronous; each method is wrapped
 * in an async one to honour the FleetStore contract and is one transaction).
 *
 * Durability is the point of this file: a campaign writes `posting` before it sends a POST, and
 * after a power cut that mark must be there, or the action could be sent twice. So:
 * - journal_mode=WAL with synchronous=FULL: the WAL is fsync'd at every commit, so a committed
 *   transaction survives a power loss (sqlite.org/pragma.html#pragma_synchronous: in WAL mode
 *   NORMAL may roll back the last transactions after a power loss, FULL does not);
 * - busy_timeout: another tpm-doctor (a `fleet status` while a campaign runs) waits for the
 *   write lock instead of failing with SQLITE_BUSY;
 * - foreign_keys=ON: off by default in SQLite for compatibility (sqlite.org/foreignkeys.html);
 * - the file is created 0600 in a directory created 0700: a store holds device names and
 *   tenant ids, not for other users. SQLite creates the -wal and -shm files with the database
 *   file's permissions (os_unix.c findCreateFileMode).
 */
import { closeSync, lstatSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir } from '../../fs/private-dir.js';
import { createNewFile } from '../../fs/safe-file.js';
import { UnsafePathError } from '../../fs/unsafe-path-error.js';
import type {
  Campaign,
  CampaignDevice,
  CampaignStatus,
  CampaignTenant,
  DevicePhase,
  FleetStore,
  GraphWrite,
  GraphWriteRecords,
  NewCampaign,
  PhaseChange,
  TriageRow,
  TriageRun,
} from './fleet-store.js';
import {
  CAMPAIGN_COLUMNS,
  CAMPAIGN_DEVICE_COLUMNS,
  type DbRow,
  emptyPhaseCounts,
  TRIAGE_ROW_COLUMNS,
  TRIAGE_ROW_UPDATE,
  TRIAGE_RUN_COLUMNS,
  toCampaign,
  toCampaignDevice,
  toCount,
  toDevicePhase,
  toTriageRow,
  toTriageRun,
} from './row-mapping.js';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  renderMigration,
  SCHEMA_VERSION_DDL,
  SENT_WITHOUT_ANSWER_SQL,
} from './schema.js';
import { FleetStoreError } from './store-error.js';
import {
  type CampaignColumn,
  campaignDeadline,
  campaignInsert,
  campaignStatusValue,
  graphWriteRecords,
  graphWriteValues,
  latestGraphWriteTime,
  NOT_ABANDONED,
  nowIso,
  optionalTenantKey,
  phaseUpdate,
  requireRunId,
  summaryJson,
  triageRowValues,
  triageTarget,
} from './store-input.js';

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** `?, ?, ?` for a list of n values (SQLite has no array parameters). */
function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

export class SqliteFleetStore implements FleetStore {
  readonly description: string;
  readonly #db: Database.Database;
  /** Prepared statements by SQL text: phase changes and filters build a few shapes, reused. */
  readonly #statements = new Map<string, Database.Statement>();
  #closed = false;

  private constructor(file: string, db: Database.Database) {
    this.description = `sqlite:${file}`;
    this.#db = db;
  }

  /** Opens (creating if needed) the store file and brings its schema up to date. */
  static async open(file: string, options: SqliteStoreOptions = {}): Promise<SqliteFleetStore> {
    const absolute = path.resolve(file);
    let db: Database.Database | undefined;
    try {
      createPrivateFile(absolute);
      db = new Database(absolute, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') {
        throw new Error(`expected journal_mode wal, SQLite kept '${String(mode)}'`);
      }
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      const store = new SqliteFleetStore(absolute, db);
      store.#migrate();
      return store;
    } catch (error) {
      db?.close();
      if (error instanceof FleetStoreError) throw error;
      if (error instanceof UnsafePathError) throw new FleetStoreError(error.message, { cause: error });
      throw new FleetStoreError(
        `cannot open the SQLite fleet store ${absolute}: ${messageOf(error)}; expected a SQLite ` +
          'database file (or a path where one can be created) in a directory this user can write',
        { cause: error },
      );
    }
  }

  /** Runs the migrations this file lacks, in one IMMEDIATE transaction (one migrator at a time). */
  #migrate(): void {
    const db = this.#db;
    db.exec(SCHEMA_VERSION_DDL);
    db.transaction(() => {
      const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as DbRow;
      const current = row.version === null ? 0 : toCount(row, 'version');
      if (current > LATEST_SCHEMA_VERSION) {
        throw new FleetStoreError(
          `${this.description} has schema version ${current}, newer than this tpm-doctor knows ` +
            `(${LATEST_SCHEMA_VERSION}); expected an upgraded tpm-doctor to open it`,
        );
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        for (const statement of renderMigration(migration, 'sqlite')) db.exec(statement);
        db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
          migration.version,
          nowIso(),
        );
      }
    }).immediate();
  }

  #statement(sql: string): Database.Statement {
    this.#assertOpen();
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #assertOpen(): void {
    if (this.#closed) throw new FleetStoreError(`${this.description} is closed`);
  }

  /** Runs `work` as one IMMEDIATE transaction: the write lock is taken at BEGIN, so no upgrade deadlock. */
  #write<T>(work: () => T): T {
    this.#assertOpen();
    try {
      return this.#db.transaction(work).immediate();
    } catch (error) {
      if (error instanceof FleetStoreError) throw error;
      // SQLite's messages name the constraint or the failure (SQLITE_FULL, SQLITE_BUSY), never a bound value.
      throw new FleetStoreError(`${this.description}: ${messageOf(error)}`, { cause: error });
    }
  }

  async createCampaign(campaign: NewCampaign): Promise<Campaign> {
    const insert = campaignInsert(campaign, nowIso());
    return this.#write(() => {
      const exists = this.#statement('SELECT 1 FROM campaigns WHERE id = ?').get(insert.campaign[0]);
      if (exists !== undefined) {
        throw new FleetStoreError(`campaign ${insert.campaign[0]} already exists in ${this.description}`);
      }
      this.#statement(
        'INSERT INTO campaigns (id, action, status, target, tenant_key, selection, created_at, updated_at, deadline, resume_options) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(...insert.campaign);
      const device = this.#statement(
        'INSERT INTO campaign_devices (campaign_id, device_id, device_name, baseline_sync, phase, updated_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const values of insert.devices) device.run(...values);
      return toCampaign(
        this.#statement(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?`).get(
          insert.campaign[0],
        ) as DbRow,
      );
    });
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const row = this.#statement(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?`).get(id) as
      | DbRow
      | undefined;
    return row === undefined ? undefined : toCampaign(row);
  }

  async listCampaigns(): Promise<Campaign[]> {
    const rows = this.#statement(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY created_at, id`).all();
    return (rows as DbRow[]).map(toCampaign);
  }

  async setCampaignStatus(id: string, status: CampaignStatus): Promise<void> {
    this.#updateCampaign(id, 'status', campaignStatusValue(id, status));
  }

  async setCampaignScript(id: string, scriptId: string): Promise<void> {
    this.#updateCampaign(id, 'script_id', scriptId);
  }

  async setCampaignDeadline(id: string, deadline: string): Promise<void> {
    this.#updateCampaign(id, 'deadline', campaignDeadline(id, deadline));
  }

  #updateCampaign(id: string, column: CampaignColumn, value: string): void {
    this.#write(() => {
      const exists = this.#statement('SELECT status FROM campaigns WHERE id = ?').get(id) as
        | DbRow
        | undefined;
      if (exists === undefined) throw new FleetStoreError(`no campaign ${id} in ${this.description}`);
      // An abandoned campaign stays abandoned: a runner ending after `fleet abandon` cannot undo it.
      if (column === 'status' && exists.status === 'abandoned') return;
      this.#statement(`UPDATE campaigns SET ${column} = ?, updated_at = ? WHERE id = ?`).run(
        value,
        nowIso(),
        id,
      );
    });
  }

  async campaignDevices(id: string, phases?: readonly DevicePhase[]): Promise<CampaignDevice[]> {
    if (phases !== undefined && phases.length === 0) return [];
    const filter = phases === undefined ? '' : ` AND phase IN (${placeholders(phases.length)})`;
    const rows = this.#statement(
      `SELECT ${CAMPAIGN_DEVICE_COLUMNS} FROM campaign_devices WHERE campaign_id = ?${filter} ORDER BY device_id`,
    ).all(id, ...(phases ?? []));
    return (rows as DbRow[]).map(toCampaignDevice);
  }

  async changePhases(campaignId: string, changes: readonly PhaseChange[]): Promise<string[]> {
    const updates = changes.map((change) => phaseUpdate(campaignId, change));
    return this.#write(() => {
      const now = nowIso();
      const changed: string[] = [];
      for (const update of updates) {
        if (update.from.length === 0) continue;
        // The contract reports a device whose phase changed: when `to` is also in `from`, the
        // row may match without its phase changing, so read the phase first (same transaction).
        const before = update.from.includes(update.to)
          ? (this.#statement(
              'SELECT phase FROM campaign_devices WHERE campaign_id = ? AND device_id = ?',
            ).get(campaignId, update.deviceId) as DbRow | undefined)
          : undefined;
        const setColumns = update.set.map(([column]) => `, ${column} = ?`).join('');
        const result = this.#statement(
          `UPDATE campaign_devices SET phase = ?, updated_at = ?${setColumns} ` +
            `WHERE campaign_id = ? AND device_id = ? AND phase IN (${placeholders(update.from.length)})` +
            (update.to === 'posting' ? ` AND ${NOT_ABANDONED}` : ''),
        ).run(
          update.to,
          now,
          ...update.set.map(([, value]) => value),
          campaignId,
          update.deviceId,
          ...update.from,
        );
        if (result.changes === 1 && before?.phase !== update.to) changed.push(update.deviceId);
      }
      if (changed.length > 0) {
        this.#statement('UPDATE campaigns SET updated_at = ? WHERE id = ?').run(now, campaignId);
      }
      return changed;
    });
  }

  async postTimesSince(tenant: CampaignTenant, since: string): Promise<string[]> {
    const key = tenant.tenantKey ?? null;
    const rows = this.#statement(
      `SELECT COALESCE(d.posted_at, d.updated_at) AS sent_at FROM campaign_devices d
         JOIN campaigns c ON c.id = d.campaign_id
        WHERE (CASE WHEN ? IS NOT NULL AND c.tenant_key IS NOT NULL THEN c.tenant_key = ? ELSE c.target = ? END)
          AND (d.posted_at >= ? OR (d.posted_at IS NULL AND d.phase IN (${SENT_WITHOUT_ANSWER_SQL}) AND d.updated_at >= ?))`,
    ).all(key, key, tenant.target, since, since) as DbRow[];
    return rows.map((row) => String(row.sent_at));
  }

  async recordGraphWrite(write: GraphWrite): Promise<void> {
    const { row, deleteBefore } = graphWriteValues(write);
    this.#write(() => {
      this.#statement('DELETE FROM graph_writes WHERE sent_at < ?').run(deleteBefore);
      this.#statement(
        'INSERT INTO graph_writes (target, tenant_key, service, writes, sent_at) VALUES (?, ?, ?, ?, ?)',
      ).run(...row);
    });
  }

  async graphWritesSince(tenant: CampaignTenant, service: string, since: string): Promise<GraphWriteRecords> {
    const key = tenant.tenantKey ?? null;
    const latest = latestGraphWriteTime();
    const deletedFuture = this.#write(
      () => this.#statement('DELETE FROM graph_writes WHERE sent_at > ?').run(latest).changes,
    );
    const rows = this.#statement(
      `SELECT sent_at, writes FROM graph_writes
        WHERE (CASE WHEN ? IS NOT NULL AND tenant_key IS NOT NULL THEN tenant_key = ? ELSE target = ? END)
          AND service = ? AND sent_at >= ? AND sent_at <= ?`,
    ).all(key, key, tenant.target, service, since, latest) as DbRow[];
    return graphWriteRecords(rows, deletedFuture);
  }

  async phaseCounts(campaignId: string): Promise<Record<DevicePhase, number>> {
    const rows = this.#statement(
      'SELECT phase, COUNT(*) AS devices FROM campaign_devices WHERE campaign_id = ? GROUP BY phase',
    ).all(campaignId) as DbRow[];
    const counts = emptyPhaseCounts();
    for (const row of rows) counts[toDevicePhase(row)] = toCount(row, 'devices');
    return counts;
  }

  async beginTriage(target: string, tenantKey?: string): Promise<number> {
    const values = [
      triageTarget(target),
      optionalTenantKey('triage tenantKey', tenantKey),
      nowIso(),
    ] as const;
    return this.#write(() => {
      const result = this.#statement(
        'INSERT INTO triage_runs (target, tenant_key, created_at) VALUES (?, ?, ?)',
      ).run(...values);
      return Number(result.lastInsertRowid);
    });
  }

  async addTriageRows(runId: number, rows: readonly TriageRow[]): Promise<void> {
    requireRunId(runId);
    const values = triageRowValues(runId, rows);
    this.#write(() => {
      this.#requireOpenRun(runId);
      const insert = this.#statement(
        `INSERT INTO triage_rows (run_id, ${TRIAGE_ROW_COLUMNS}) VALUES (${placeholders(14)}) ` +
          `ON CONFLICT (run_id, device_id) DO UPDATE SET ${TRIAGE_ROW_UPDATE}`,
      );
      for (const row of values) insert.run(runId, ...row);
    });
  }

  /** A run exists and is not finished yet; a finished run's rows are its record and do not change. */
  #requireOpenRun(runId: number): void {
    const run = this.#statement('SELECT finished_at FROM triage_runs WHERE id = ?').get(runId) as
      | DbRow
      | undefined;
    if (run === undefined) throw new FleetStoreError(`no triage run ${runId} in ${this.description}`);
    if (run.finished_at !== null) {
      throw new FleetStoreError(`triage run ${runId} is finished; expected an unfinished run to add rows to`);
    }
  }

  async finishTriage(runId: number, summary: unknown): Promise<TriageRun> {
    requireRunId(runId);
    const json = summaryJson(runId, summary);
    return this.#write(() => {
      this.#requireOpenRun(runId);
      this.#statement('UPDATE triage_runs SET finished_at = ?, summary = ? WHERE id = ?').run(
        nowIso(),
        json,
        runId,
      );
      return toTriageRun(
        this.#statement(`SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE id = ?`).get(runId) as DbRow,
      );
    });
  }

  async latestTriage(target?: string): Promise<TriageRun | undefined> {
    const row = (
      target === undefined
        ? this.#statement(
            `SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
          ).get()
        : this.#statement(
            `SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE finished_at IS NOT NULL AND target = ? ORDER BY id DESC LIMIT 1`,
          ).get(target)
    ) as DbRow | undefined;
    return row === undefined ? undefined : toTriageRun(row);
  }

  async triageRun(id: number): Promise<TriageRun | undefined> {
    const row = this.#statement(
      `SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE finished_at IS NOT NULL AND id = ?`,
    ).get(id) as DbRow | undefined;
    return row === undefined ? undefined : toTriageRun(row);
  }

  async triageRows(
    runId: number,
    filter: { classes?: readonly string[]; clearSafety?: readonly string[] } = {},
  ): Promise<TriageRow[]> {
    const { classes, clearSafety } = filter;
    if (classes?.length === 0 || clearSafety?.length === 0) return [];
    let sql = `SELECT ${TRIAGE_ROW_COLUMNS} FROM triage_rows WHERE run_id = ?`;
    if (classes !== undefined) sql += ` AND triage_class IN (${placeholders(classes.length)})`;
    if (clearSafety !== undefined) sql += ` AND clear_safety IN (${placeholders(clearSafety.length)})`;
    const rows = this.#statement(`${sql} ORDER BY device_id`).all(
      runId,
      ...(classes ?? []),
      ...(clearSafety ?? []),
    );
    return (rows as DbRow[]).map(toTriageRow);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }
}

/**
 * Makes sure SQLite opens a private file of ours. The folder must be private (made 0700 when
 * missing; refused when another user owns it or can write it: src/fs/private-dir.ts), because
 * SQLite opens the database and creates its -wal and -shm files by name, following symbolic links:
 * a link planted there would make root create or overwrite the link's target. A missing database
 * is created exclusively, 0600, so it is never readable by others, not even for a moment; an
 * existing one must be a regular file, not a link. An existing file keeps its mode: an
 * administrator may have shared it on purpose.
 */
function createPrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  try {
    closeSync(createNewFile(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (const suffix of ['', '-wal', '-shm']) {
    const st = lstatSync(file + suffix, { throwIfNoEntry: false });
    if (st !== undefined && !st.isFile()) {
      throw new UnsafePathError(
        file + suffix,
        `is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`,
        'Remove it; tpm-doctor opens its database only as a regular file.',
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
