/**
 * The fleet store in PostgreSQL, through `pg`: for a team that runs campaigns from more than one
 * machine, or keeps history centrally. Same schema as SQLite (./schema.ts).
 *
 * - A small Pool (a one-shot CLI needs few connections; each method holds one for its transaction).
 * - Parameterised queries only: no value is ever spliced into SQL text.
 * - Every write is BEGIN ... COMMIT on one pooled client, ROLLBACK on any error.
 * - changePhases is a compare-and-set: `UPDATE ... WHERE phase = ANY($n)`. Under READ COMMITTED,
 *   an UPDATE that meets a row another transaction changed re-checks its WHERE on the new
 *   version (PostgreSQL manual §13.2.1), so two campaigns racing for one device cannot both win.
 * - The password never shows: not in `description`, not in an error (./postgres-url.ts).
 */
import pg from 'pg';
import { redactKnown } from '../../snapshot/redact-secrets.js';
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
import { type PostgresTarget, parsePostgresUrl } from './postgres-url.js';
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

/**
 * A pg client that closes its socket when connecting fails. pg reports an error raised while
 * authenticating (no password given to a server that asks for SCRAM: "client password must be a
 * string") to the connect callback, but leaves the socket open, waiting for the server's
 * authentication timeout (PostgreSQL's authentication_timeout, a minute by default); pg-pool then
 * drops the client without ending it. The open socket would keep the CLI alive after it printed
 * the error.
 */
class SocketClosingClient extends pg.Client {}
const connectWithCallback = pg.Client.prototype.connect as unknown as (
  this: pg.Client,
  callback: (error: Error | undefined) => void,
) => void;
(SocketClosingClient.prototype as unknown as { connect: typeof connectWithCallback }).connect = function (
  callback,
) {
  connectWithCallback.call(this, (error) => {
    if (error)
      (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    callback(error);
  });
};

export interface PostgresStoreOptions {
  /** Connections in the pool; default 4. */
  maxConnections?: number;
  /** How long to wait for a connection; default 10000 ms. */
  connectTimeoutMs?: number;
}

/**
 * Taken for the duration of a migration so that two tpm-doctors starting at once against an
 * empty database do not both create the tables (pg_advisory_xact_lock, released at COMMIT).
 * Any fixed number works; this one is "tpmd" in ASCII.
 */
const MIGRATION_LOCK_KEY = 0x74706d64;

type Client = pg.PoolClient;

/**
 * Sort text by bytes, as SQLite's BINARY collation does, so both backends list devices in the
 * same order whatever locale the database was created with (a database's default collation
 * follows initdb's locale; "C" compares bytes: PostgreSQL manual §24.2.2.1).
 */
const BYTE_ORDER = 'COLLATE "C"';

export class PostgresFleetStore implements FleetStore {
  readonly description: string;
  readonly #pool: pg.Pool;
  readonly #target: PostgresTarget;
  #closed = false;

  private constructor(pool: pg.Pool, target: PostgresTarget) {
    this.#pool = pool;
    this.#target = target;
    this.description = target.description;
  }

  /** Connects, checks the server answers, and brings the schema up to date. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresFleetStore> {
    const target = parsePostgresUrl(url);
    const pool = new pg.Pool({
      Client: SocketClosingClient,
      connectionString: url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 10_000,
    });
    // An idle pooled connection the server drops (a restart, an idle timeout) emits 'error' on the
    // pool; unhandled, that would end the process. The next query simply takes a new connection.
    pool.on('error', () => {});
    const store = new PostgresFleetStore(pool, target);
    let client: Client;
    try {
      client = await pool.connect();
    } catch (error) {
      await pool.end().catch(() => {});
      throw new FleetStoreError(
        `cannot connect to PostgreSQL at ${target.hostPort} (database ${target.database}, user ${target.user}): ` +
          `${redactKnown(messageOf(error), target.secrets)}; expected a PostgreSQL server accepting ` +
          'connections there (the store URL comes from --store or TPM_DOCTOR_STORE)',
      );
    }
    client.release();
    try {
      await store.#migrate();
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  async #migrate(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(SCHEMA_VERSION_DDL);
      const result = await client.query<DbRow>('SELECT MAX(version) AS version FROM schema_version');
      const row = result.rows[0];
      const current = row === undefined || row.version === null ? 0 : toCount(row, 'version');
      if (current > LATEST_SCHEMA_VERSION) {
        throw new FleetStoreError(
          `${this.description} has schema version ${current}, newer than this tpm-doctor knows ` +
            `(${LATEST_SCHEMA_VERSION}); expected an upgraded tpm-doctor to open it`,
        );
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        for (const statement of renderMigration(migration, 'postgres')) await client.query(statement);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          nowIso(),
        ]);
      }
    });
  }

  /** `work` in BEGIN ... COMMIT on one pooled connection; ROLLBACK and rethrow on any error. */
  async #transaction<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: do not return it to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw this.#wrap(error);
    } finally {
      client.release(broken);
    }
  }

  async #query(sql: string, params: unknown[]): Promise<DbRow[]> {
    this.#assertOpen();
    try {
      return (await this.#pool.query<DbRow>(sql, params)).rows;
    } catch (error) {
      throw this.#wrap(error);
    }
  }

  async #connect(): Promise<Client> {
    this.#assertOpen();
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw this.#wrap(error);
    }
  }

  /** A driver error as ours: PostgreSQL's messages name constraints and columns, not bound values. */
  #wrap(error: unknown): FleetStoreError {
    if (error instanceof FleetStoreError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    return new FleetStoreError(
      `${this.description}: ${redactKnown(messageOf(error), this.#target.secrets)}`,
      {
        sqlState: typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined,
      },
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new FleetStoreError(`${this.description} is closed`);
  }

  async createCampaign(campaign: NewCampaign): Promise<Campaign> {
    const insert = campaignInsert(campaign, nowIso());
    const id = insert.campaign[0];
    return this.#transaction(async (client) => {
      const exists = await client.query('SELECT 1 FROM campaigns WHERE id = $1', [id]);
      if (exists.rowCount !== 0)
        throw new FleetStoreError(`campaign ${id} already exists in ${this.description}`);
      await client.query(
        'INSERT INTO campaigns (id, action, status, target, tenant_key, selection, created_at, updated_at, deadline, resume_options) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        insert.campaign,
      );
      if (insert.devices.length > 0) {
        // One statement for every device: unnest() turns parallel arrays into rows.
        const column = (index: number) => insert.devices.map((device) => device[index]);
        await client.query(
          'INSERT INTO campaign_devices (campaign_id, device_id, device_name, baseline_sync, phase, updated_at) ' +
            'SELECT $1, d.device_id, d.device_name, d.baseline_sync, $2, $3 ' +
            'FROM unnest($4::text[], $5::text[], $6::text[]) AS d (device_id, device_name, baseline_sync)',
          [id, 'pending', insert.campaign[6], column(1), column(2), column(3)],
        );
      }
      const rows = await client.query<DbRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1`, [id]);
      return toCampaign(rows.rows[0] as DbRow);
    });
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const rows = await this.#query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toCampaign(rows[0]);
  }

  async listCampaigns(): Promise<Campaign[]> {
    const rows = await this.#query(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY created_at, id ${BYTE_ORDER}`,
      [],
    );
    return rows.map(toCampaign);
  }

  async setCampaignStatus(id: string, status: CampaignStatus): Promise<void> {
    await this.#updateCampaign(id, 'status', campaignStatusValue(id, status));
  }

  async setCampaignScript(id: string, scriptId: string): Promise<void> {
    await this.#updateCampaign(id, 'script_id', scriptId);
  }

  async setCampaignDeadline(id: string, deadline: string): Promise<void> {
    await this.#updateCampaign(id, 'deadline', campaignDeadline(id, deadline));
  }

  async #updateCampaign(id: string, column: CampaignColumn, value: string): Promise<void> {
    await this.#transaction(async (client) => {
      const current = await client.query<DbRow>('SELECT status FROM campaigns WHERE id = $1 FOR UPDATE', [
        id,
      ]);
      if (current.rowCount === 0) throw new FleetStoreError(`no campaign ${id} in ${this.description}`);
      // An abandoned campaign stays abandoned: a runner ending after `fleet abandon` cannot undo it.
      if (column === 'status' && current.rows[0]?.status === 'abandoned') return;
      await client.query(`UPDATE campaigns SET ${column} = $1, updated_at = $2 WHERE id = $3`, [
        value,
        nowIso(),
        id,
      ]);
    });
  }

  async campaignDevices(id: string, phases?: readonly DevicePhase[]): Promise<CampaignDevice[]> {
    if (phases !== undefined && phases.length === 0) return [];
    const filter = phases === undefined ? '' : ' AND phase = ANY($2::text[])';
    const rows = await this.#query(
      `SELECT ${CAMPAIGN_DEVICE_COLUMNS} FROM campaign_devices WHERE campaign_id = $1${filter} ORDER BY device_id ${BYTE_ORDER}`,
      phases === undefined ? [id] : [id, [...phases]],
    );
    return rows.map(toCampaignDevice);
  }

  async changePhases(campaignId: string, changes: readonly PhaseChange[]): Promise<string[]> {
    // Rows are locked in device-id order (a stable sort keeps one device's changes in order), so
    // two runners changing overlapping devices at once wait for each other instead of deadlocking;
    // a deadlock PostgreSQL still detects (40P01) rolls the whole batch back and it is retried.
    const updates = changes
      .map((change) => phaseUpdate(campaignId, change))
      .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#applyPhaseUpdates(campaignId, updates);
      } catch (error) {
        const code = error instanceof FleetStoreError ? error.sqlState : undefined;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      }
    }
  }

  #applyPhaseUpdates(campaignId: string, updates: ReturnType<typeof phaseUpdate>[]): Promise<string[]> {
    return this.#transaction(async (client) => {
      const now = nowIso();
      const changed: string[] = [];
      for (const update of updates) {
        if (update.from.length === 0) continue;
        // The contract reports a device whose phase changed: when `to` is also in `from`, the
        // row may match without its phase changing, so read (and lock) it first.
        let before: string | undefined;
        if (update.from.includes(update.to)) {
          const current = await client.query<DbRow>(
            'SELECT phase FROM campaign_devices WHERE campaign_id = $1 AND device_id = $2 FOR UPDATE',
            [campaignId, update.deviceId],
          );
          before = current.rows[0]?.phase as string | undefined;
        }
        const params: unknown[] = [update.to, now, campaignId, update.deviceId, update.from];
        const setColumns = update.set
          .map(([column, value]) => {
            params.push(value);
            return `, ${column} = $${params.length}`;
          })
          .join('');
        const result = await client.query(
          `UPDATE campaign_devices SET phase = $1, updated_at = $2${setColumns} ` +
            'WHERE campaign_id = $3 AND device_id = $4 AND phase = ANY($5::text[])' +
            (update.to === 'posting' ? ` AND ${NOT_ABANDONED}` : ''),
          params,
        );
        if (result.rowCount === 1 && before !== update.to) changed.push(update.deviceId);
      }
      if (changed.length > 0) {
        await client.query('UPDATE campaigns SET updated_at = $1 WHERE id = $2', [now, campaignId]);
      }
      return changed;
    });
  }

  async postTimesSince(tenant: CampaignTenant, since: string): Promise<string[]> {
    const rows = await this.#query(
      `SELECT COALESCE(d.posted_at, d.updated_at) AS sent_at FROM campaign_devices d
         JOIN campaigns c ON c.id = d.campaign_id
        WHERE (CASE WHEN $1::text IS NOT NULL AND c.tenant_key IS NOT NULL THEN c.tenant_key = $1::text ELSE c.target = $2 END)
          AND (d.posted_at >= $3 OR (d.posted_at IS NULL AND d.phase IN (${SENT_WITHOUT_ANSWER_SQL}) AND d.updated_at >= $3))`,
      [tenant.tenantKey ?? null, tenant.target, since],
    );
    return rows.map((row) => String(row.sent_at));
  }

  async recordGraphWrite(write: GraphWrite): Promise<void> {
    const { row, deleteBefore } = graphWriteValues(write);
    await this.#transaction(async (client) => {
      await client.query('DELETE FROM graph_writes WHERE sent_at < $1', [deleteBefore]);
      await client.query(
        'INSERT INTO graph_writes (target, tenant_key, service, writes, sent_at) VALUES ($1, $2, $3, $4, $5)',
        row,
      );
    });
  }

  async graphWritesSince(tenant: CampaignTenant, service: string, since: string): Promise<GraphWriteRecords> {
    const latest = latestGraphWriteTime();
    const deletedFuture = (
      await this.#query('DELETE FROM graph_writes WHERE sent_at > $1 RETURNING 1', [latest])
    ).length;
    const rows = await this.#query(
      `SELECT sent_at, writes FROM graph_writes
        WHERE (CASE WHEN $1::text IS NOT NULL AND tenant_key IS NOT NULL THEN tenant_key = $1::text ELSE target = $2 END)
          AND service = $3 AND sent_at >= $4 AND sent_at <= $5`,
      [tenant.tenantKey ?? null, tenant.target, service, since, latest],
    );
    return graphWriteRecords(rows, deletedFuture);
  }

  async phaseCounts(campaignId: string): Promise<Record<DevicePhase, number>> {
    const rows = await this.#query(
      'SELECT phase, COUNT(*) AS devices FROM campaign_devices WHERE campaign_id = $1 GROUP BY phase',
      [campaignId],
    );
    const counts = emptyPhaseCounts();
    for (const row of rows) counts[toDevicePhase(row)] = toCount(row, 'devices');
    return counts;
  }

  async beginTriage(target: string, tenantKey?: string): Promise<number> {
    const rows = await this.#query(
      'INSERT INTO triage_runs (target, tenant_key, created_at) VALUES ($1, $2, $3) RETURNING id',
      [triageTarget(target), optionalTenantKey('triage tenantKey', tenantKey), nowIso()],
    );
    return toCount(rows[0] ?? {}, 'id');
  }

  async addTriageRows(runId: number, rows: readonly TriageRow[]): Promise<void> {
    requireRunId(runId);
    const values = triageRowValues(runId, rows);
    await this.#transaction(async (client) => {
      await this.#requireOpenRun(client, runId);
      if (values.length === 0) return;
      const column = (index: number) => values.map((row) => row[index]);
      // One statement per chunk (unnest of parallel arrays); rows are unique per device already,
      // as ON CONFLICT DO UPDATE may not touch one row twice in a statement.
      await client.query(
        `INSERT INTO triage_rows (run_id, ${TRIAGE_ROW_COLUMNS}) SELECT $1, r.* FROM unnest(` +
          `${values[0]!.map((_, i) => `$${i + 2}::text[]`).join(', ')}) ` +
          `AS r (${TRIAGE_ROW_COLUMNS}) ` +
          `ON CONFLICT (run_id, device_id) DO UPDATE SET ${TRIAGE_ROW_UPDATE}`,
        [runId, ...values[0]!.map((_, i) => column(i))],
      );
    });
  }

  /** A run exists and is not finished; locked, so a concurrent finishTriage waits for this chunk. */
  async #requireOpenRun(client: Client, runId: number): Promise<void> {
    const result = await client.query<DbRow>('SELECT finished_at FROM triage_runs WHERE id = $1 FOR UPDATE', [
      runId,
    ]);
    const run = result.rows[0];
    if (run === undefined) throw new FleetStoreError(`no triage run ${runId} in ${this.description}`);
    if (run.finished_at !== null) {
      throw new FleetStoreError(`triage run ${runId} is finished; expected an unfinished run to add rows to`);
    }
  }

  async finishTriage(runId: number, summary: unknown): Promise<TriageRun> {
    requireRunId(runId);
    const json = summaryJson(runId, summary);
    return this.#transaction(async (client) => {
      await this.#requireOpenRun(client, runId);
      const result = await client.query<DbRow>(
        `UPDATE triage_runs SET finished_at = $1, summary = $2 WHERE id = $3 RETURNING ${TRIAGE_RUN_COLUMNS}`,
        [nowIso(), json, runId],
      );
      return toTriageRun(result.rows[0] as DbRow);
    });
  }

  async latestTriage(target?: string): Promise<TriageRun | undefined> {
    const rows =
      target === undefined
        ? await this.#query(
            `SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
            [],
          )
        : await this.#query(
            `SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE finished_at IS NOT NULL AND target = $1 ORDER BY id DESC LIMIT 1`,
            [target],
          );
    return rows[0] === undefined ? undefined : toTriageRun(rows[0]);
  }

  async triageRun(id: number): Promise<TriageRun | undefined> {
    const rows = await this.#query(
      `SELECT ${TRIAGE_RUN_COLUMNS} FROM triage_runs WHERE finished_at IS NOT NULL AND id = $1`,
      [id],
    );
    return rows[0] === undefined ? undefined : toTriageRun(rows[0]);
  }

  async triageRows(
    runId: number,
    filter: { classes?: readonly string[]; clearSafety?: readonly string[] } = {},
  ): Promise<TriageRow[]> {
    const { classes, clearSafety } = filter;
    if (classes?.length === 0 || clearSafety?.length === 0) return [];
    const params: unknown[] = [runId];
    let sql = `SELECT ${TRIAGE_ROW_COLUMNS} FROM triage_rows WHERE run_id = $1`;
    if (classes !== undefined) {
      params.push([...classes]);
      sql += ` AND triage_class = ANY($${params.length}::text[])`;
    }
    if (clearSafety !== undefined) {
      params.push([...clearSafety]);
      sql += ` AND clear_safety = ANY($${params.length}::text[])`;
    }
    const rows = await this.#query(`${sql} ORDER BY device_id ${BYTE_ORDER}`, params);
    return rows.map(toTriageRow);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
