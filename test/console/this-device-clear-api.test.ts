/**
 * The console's "this device" clear through its API, against `tpm-doctor console --tpm
 * lab:stale-objects` (a real swtpm with keys and an NV index left behind): every bad request
 * each endpoint can get; the dry run's gate; a wrong typed word, a stale or used plan, a gate that
 * no longer passes (disableClear set with tpm2-tools after the dry run) and a second clear at the
 * same time, each refused with the TPM untouched; then the clear, proven, its journal and receipt
 * read back, and the TPM checked independently with tpm2-tools: the owner seed changed (the same
 * primary key template gives another Name) and the persistent keys are gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ThisDeviceClearPlanResponse,
  ThisDeviceClearResponse,
  ThisDeviceResponse,
  ThisDeviceRunResponse,
  ThisDeviceRunsResponse,
} from '../../src/console/api-types.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { type HttpAnswer, request, sessionHeaderOf, signIn } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '20', '--lab-seed', '7'];
const PLAN = '/api/this-device/clear/plan';
const CLEAR = '/api/this-device/clear';
/** Generous: the 2-core CI machine runs other suites at the same time. */
const LONG = 300_000;
const LOCKOUT_VALUE = 'zz-lockout-value-4711';

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-clear-');
let running: ConsoleProcess;
let cookie: string;
/** The console's lab TPM, for tpm2-tools (`swtpm:host=127.0.0.1,port=N`). */
let tcti: { tcti: string };
const answers: HttpAnswer[] = [];

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const answer = await request(running.origin, path, {
    method: 'POST',
    cookie,
    headers: { origin: running.origin, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  answers.push(answer);
  return answer;
}

async function get(path: string): Promise<HttpAnswer> {
  const answer = await request(running.origin, path, { cookie });
  answers.push(answer);
  return answer;
}

function json<T>(answer: HttpAnswer, status = 200): T {
  expect(answer.status, answer.body).toBe(status);
  return JSON.parse(answer.body) as T;
}

function errorOf(answer: HttpAnswer): string {
  return (JSON.parse(answer.body) as { error: string }).error;
}

async function dryRun(body: object = { purpose: 'decommission' }): Promise<ThisDeviceClearPlanResponse> {
  return json<ThisDeviceClearPlanResponse>(await post(PLAN, body));
}

async function persistentHandles(): Promise<string> {
  return (await tpm2(tcti, ['tpm2_getcap', 'handles-persistent'])).stdout;
}

/**
 * The public point (x) of an ECC primary key made in the owner hierarchy with tpm2-tools' default
 * template (then flushed): derived from the owner seed, which TPM2_Clear replaces (Part 1 §14.4.4).
 */
async function ownerPrimaryPoint(): Promise<string> {
  const out = await tpm2(tcti, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', tmp.file('owner.ctx')]);
  await tpm2(tcti, ['tpm2_flushcontext', '-t']);
  const name = /^x: ([0-9a-f]+)$/m.exec(out.stdout)?.[1];
  expect(name, out.stdout).toBeDefined();
  return name as string;
}

beforeAll(async () => {
  assertSwtpmAvailable();
  const store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  // A lockout value given as the CLI takes it: the console holds it and never sends it anywhere.
  running = await startConsoleCli([...LAB, '--store', store, '--tpm', 'lab:stale-objects'], {
    TPM_DOCTOR_LOCKOUT_AUTH: LOCKOUT_VALUE,
  });
  cookie = await signIn(running.signInUrl);
  const device = JSON.parse((await get('/api/this-device')).body) as ThisDeviceResponse;
  const port = /^swtpm:\/\/127\.0\.0\.1:(\d+)$/.exec(device.source.tpm)?.[1];
  if (port === undefined) throw new Error(`not a lab swtpm: ${device.source.tpm}`);
  tcti = { tcti: `swtpm:host=127.0.0.1,port=${port}` };
}, 400_000);

afterAll(async () => {
  if (running) {
    expect((await running.stop('SIGTERM')).code).toBe(0);
    const token = new URL(running.signInUrl).searchParams.get('token') as string;
    const session = cookie.split('=')[1] as string;
    const secret = sessionHeaderOf(cookie)['x-tpm-doctor-session'] as string;
    for (const answer of answers) {
      expect(answer.body).not.toContain(token);
      expect(answer.body).not.toContain(session);
      expect(answer.body).not.toContain(secret);
      expect(answer.body).not.toContain(LOCKOUT_VALUE);
    }
    expect(answers.length).toBeGreaterThan(20);
  }
});

describe('this device clear: bad input', () => {
  it('refuses a foreign or missing Origin, and no session, on both POST endpoints', async () => {
    for (const path of [PLAN, CLEAR]) {
      const foreign = await post(path, {}, { origin: 'http://evil.test' });
      expect(foreign.status, path).toBe(403);
      expect(foreign.body).toContain('another origin');
      const none = await request(running.origin, path, { method: 'POST', cookie, body: '{}' });
      expect(none.status, path).toBe(403);
      expect(none.body).toContain('no Origin header');
      const signedOut = await request(running.origin, path, {
        method: 'POST',
        headers: { origin: running.origin, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(signedOut.status, path).toBe(401);
      // GET is not how a clear is asked for.
      expect((await get(path)).status, path).toBe(405);
    }
  });

  it('refuses oversized, malformed, non-object and non-JSON bodies', async () => {
    for (const path of [PLAN, CLEAR]) {
      const big = await post(path, JSON.stringify({ purpose: 'repair', pad: 'x'.repeat(70_000) }));
      expect(big.status).toBe(413);
      expect(errorOf(big)).toBe('The request body is over 65536 bytes.');
      const malformed = await post(path, '{"purpose":');
      expect(malformed.status).toBe(400);
      expect(errorOf(malformed)).toBe('The request body is not valid JSON.');
      const list = await post(path, '[1]');
      expect(list.status).toBe(400);
      expect(errorOf(list)).toBe('The request body must be a JSON object.');
      const form = await post(path, '{}', { 'content-type': 'text/plain' });
      expect(form.status).toBe(415);
    }
  });

  it('refuses unknown fields and values outside their lists, without quoting them back', async () => {
    const probe = 'zz-probe-<b>value</b>';
    for (const [path, body] of [
      [PLAN, { purpose: 'decommission', lockoutAuth: probe }],
      [PLAN, { method: probe }],
      [PLAN, { purpose: probe }],
      [PLAN, { acknowledge: [probe] }],
      [PLAN, { escrowed: probe }],
      [PLAN, { backupConfirmedBy: 'x'.repeat(201) }],
      [CLEAR, { planId: 'p', confirm: 'CLEAR', lockoutAuth: probe }],
      [CLEAR, { confirm: 'CLEAR' }],
      [CLEAR, { planId: 'p', approvedBy: probe, confirm: 'CLEAR' }],
    ] as const) {
      const answer = await post(path, body);
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body).not.toContain('zz-probe');
      expect(answer.body).not.toContain('xxxxxxxx');
    }
    expect(errorOf(await post(PLAN, { pin: '1' }))).toBe(
      'Unknown field in the request (allowed: method, purpose, acknowledge, escrowed, backupConfirmedBy).',
    );
  });

  it('refuses control and bidi characters in who approved, the ticket and who confirmed the backup', async () => {
    // As a clear campaign refuses them (src/fleet/campaign/clear-script.ts): a receipt never
    // holds a character that could disguise who approved (U+202E turns the text around).
    const hostile = ['alice\u202e nimda\n\u001b[2Kbob', 'T-1\r\u2066x', 'a\u0000b', ' '];
    for (const value of hostile) {
      for (const [path, body, field] of [
        [CLEAR, { planId: 'p', approvedBy: value, ticket: 'T-1', confirm: 'CLEAR' }, 'approvedBy'],
        [CLEAR, { planId: 'p', approvedBy: 'alice', ticket: value, confirm: 'CLEAR' }, 'ticket'],
        [PLAN, { purpose: 'decommission', backupConfirmedBy: value }, 'backupConfirmedBy'],
      ] as const) {
        const answer = await post(path, body);
        expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        expect(errorOf(answer)).toBe(
          `"${field}" must be 1 to 100 letters, digits, spaces or . , _ @ ( ) / # : + ' -.`,
        );
      }
    }
  });

  it('answers 400 for a malformed run id and 404 for a run that does not exist', async () => {
    expect((await get('/api/this-device/runs/..%2F..%2Fetc')).status).toBe(400);
    expect((await get('/api/this-device/runs/x?y=1')).status).toBe(400);
    const runs = json<ThisDeviceRunsResponse>(await get('/api/this-device/runs'));
    expect(runs.runs).toEqual([]);
    const unknownRun = await get('/api/this-device/runs/20260101T000000Z-0000000000000000');
    expect(unknownRun.status).toBe(404);
    expect(errorOf(unknownRun)).toBe('No such run.');
  });
});

describe('this device clear: the gate, the refusals and the clear', () => {
  it('a repair clear of this TPM is refused by the gate: no plan to confirm', async () => {
    const plan = await dryRun({ purpose: 'repair' });
    expect(plan.gate.passed).toBe(false);
    expect(plan.planId).toBeNull();
    const reason = plan.gate.checks.find((c) => c.id === 'reason');
    expect(reason?.status).toBe('fail');
    expect(plan.confirmWord).toBe('CLEAR');
  });

  it(
    'refuses a wrong word, an unknown plan, a gate that no longer passes, and a used plan; clears once; proves it',
    async () => {
      const handlesBefore = await persistentHandles();
      expect(handlesBefore).toMatch(/0x81000010/);
      const ownerBefore = await ownerPrimaryPoint();

      // The dry run: the gate passes for a decommission, lists what it destroys, offers a plan.
      const plan = await dryRun();
      expect(plan.gate.passed, JSON.stringify(plan.gate.checks)).toBe(true);
      expect(plan.method).toBe('platform');
      expect(plan.needsApproval).toBe(false);
      expect(plan.gate.inventory.persistentObjects.join(' ')).toMatch(/0x81000010/);
      for (const check of plan.gate.checks) expect(check.evidence.length, check.id).toBeGreaterThan(0);
      expect(plan.planId).toMatch(/^[A-Za-z0-9_-]{22}$/);

      // A word other than CLEAR, or none, changes nothing; the plan stays valid.
      for (const confirm of ['clear', 'CLEAR!', '', undefined]) {
        const wrong = await post(CLEAR, {
          planId: plan.planId,
          ...(confirm === undefined ? {} : { confirm }),
        });
        expect(wrong.status).toBe(400);
        expect(errorOf(wrong)).toBe('Not confirmed: type CLEAR to clear this TPM. Nothing was changed.');
      }
      const unknown = await post(CLEAR, { planId: 'not-a-plan', confirm: 'CLEAR' });
      expect(unknown.status).toBe(404);

      // The TPM changes after the dry run: disableClear set (by lockout authorisation, empty on
      // this lab TPM). The gate, run again before acting, refuses; the plan is spent.
      await tpm2(tcti, ['tpm2_clearcontrol', '-C', 'l', 's']);
      const refused = await post(CLEAR, { planId: plan.planId, confirm: 'CLEAR' });
      expect(refused.status, refused.body).toBe(409);
      expect(errorOf(refused)).toBe(
        'The gate no longer passes: nothing was changed. Run the dry run again to see why.',
      );
      expect(await persistentHandles()).toBe(handlesBefore);
      const again = await post(CLEAR, { planId: plan.planId, confirm: 'CLEAR' });
      expect(again.status).toBe(404);
      // Only the platform hierarchy may allow TPM2_Clear again (TPM 2.0 Library Part 3 §24.7).
      await tpm2(tcti, ['tpm2_clearcontrol', '-C', 'p', 'c']);
      const blocked = await dryRun();
      expect(blocked.gate.passed).toBe(true);

      // Two clears at once, each with its own plan: exactly one clears; the other is refused.
      const [a, b] = [await dryRun(), await dryRun()];
      const both = await Promise.all([
        post(CLEAR, { planId: a.planId, confirm: ' CLEAR ' }),
        post(CLEAR, { planId: b.planId, confirm: 'CLEAR' }),
      ]);
      const statuses = both.map((r) => r.status).sort();
      expect(statuses, both.map((r) => r.body).join('\n')).toEqual([200, 409]);
      const done = JSON.parse(both.find((r) => r.status === 200)!.body) as ThisDeviceClearResponse;

      // Cleared and proven, as the journal and the receipt say.
      expect(done.status).toBe('finished');
      expect(done.failure).toBeNull();
      expect(done.proof?.proven).toBe(true);
      expect(done.srkNameBefore).toMatch(/^000b[0-9a-f]{64}$/);
      expect(done.srkNameAfter).toMatch(/^000b[0-9a-f]{64}$/);
      expect(done.srkNameAfter).not.toBe(done.srkNameBefore);
      expect(done.receiptVerified).toBe(true);
      expect(done.receipt?.purpose).toBe('decommission');
      expect(done.records.map((r) => r.kind)).toContain('run-finished');
      expect(done.records.map((r) => r.step)).toEqual(expect.arrayContaining(['clear', 'proof']));

      // Read back, the same; the used plan cannot clear a second time.
      const runs = json<ThisDeviceRunsResponse>(await get('/api/this-device/runs'));
      expect(runs.runs.map((r) => [r.runId, r.status])).toEqual([[done.runId, 'finished']]);
      const read = json<ThisDeviceRunResponse>(await get(`/api/this-device/runs/${done.runId}`));
      expect(read.receiptVerified).toBe(true);
      expect(read.records).toEqual(done.records);
      expect(read.srkNameAfter).toBe(done.srkNameAfter);
      const winner = both[0]!.status === 200 ? a : b;
      const loser = winner === a ? b : a;
      const used = await post(CLEAR, { planId: winner.planId, confirm: 'CLEAR' });
      expect(used.status).toBe(404);
      expect(errorOf(used)).toBe('No such dry run (or it lapsed, or it was used): run the dry run again.');
      // The other plan was read from the TPM before the clear: it can never clear this TPM now.
      expect((await post(CLEAR, { planId: loser.planId, confirm: 'CLEAR' })).status).not.toBe(200);

      // Independently, with tpm2-tools: the owner keys are gone and the owner seed is new.
      const handlesAfter = await persistentHandles();
      expect(handlesAfter).not.toMatch(/0x81000010/);
      expect(handlesAfter).not.toMatch(/0x81000011/);
      expect(await ownerPrimaryPoint()).not.toBe(ownerBefore);
    },
    LONG,
  );

  it(
    'a dry run from before a clear, by the console or by anyone else, never clears after it',
    async () => {
      // The TPM was cleared by the test above: no persistent objects left, so nothing a clear
      // destroys tells the TPM before a clear from the TPM after it.
      expect(await persistentHandles()).not.toMatch(/0x81/);
      const seed0 = await ownerPrimaryPoint();

      // Two dry runs (two tabs); the first clears.
      const [a, b] = [await dryRun(), await dryRun()];
      expect(a.planId).not.toBeNull();
      expect(b.planId).not.toBeNull();
      expect(
        json<ThisDeviceClearResponse>(await post(CLEAR, { planId: a.planId, confirm: 'CLEAR' })).proof
          ?.proven,
      ).toBe(true);
      const seed1 = await ownerPrimaryPoint();
      expect(seed1).not.toBe(seed0);
      // The second was read before that clear: refused, and the owner seed changed once only.
      const stale = await post(CLEAR, { planId: b.planId, confirm: 'CLEAR' });
      expect(stale.status).toBe(404);
      expect(errorOf(stale)).toBe('No such dry run (or it lapsed, or it was used): run the dry run again.');
      expect(await ownerPrimaryPoint()).toBe(seed1);

      // A clear the console never saw (tpm2-tools, platform authorization): the TPM's Clock,
      // set far ahead before the dry run, is back near zero after it (Part 3 §24.6).
      await tpm2(tcti, ['tpm2_setclock', '1000000000000']);
      const c = await dryRun();
      expect(c.planId).not.toBeNull();
      await tpm2(tcti, ['tpm2_clear', '-c', 'p']);
      const seed2 = await ownerPrimaryPoint();
      expect(seed2).not.toBe(seed1);
      const unseen = await post(CLEAR, { planId: c.planId, confirm: 'CLEAR' });
      expect(unseen.status, unseen.body).toBe(409);
      expect(errorOf(unseen)).toBe(
        'The TPM changed since the dry run: nothing was changed. Run the dry run again.',
      );
      expect(await ownerPrimaryPoint()).toBe(seed2);

      // Nor when the Clock was small at the dry run (just cleared) and has caught up with it by
      // the time of the clear: it must have moved on by the time that passed between the reads.
      const d = await dryRun();
      expect(d.planId).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await tpm2(tcti, ['tpm2_clear', '-c', 'p']);
      const seed3 = await ownerPrimaryPoint();
      expect(seed3).not.toBe(seed2);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const caughtUp = await post(CLEAR, { planId: d.planId, confirm: 'CLEAR' });
      expect(caughtUp.status, caughtUp.body).toBe(409);
      expect(await ownerPrimaryPoint()).toBe(seed3);

      // A dry run made now still clears.
      const fresh = await dryRun();
      expect(
        json<ThisDeviceClearResponse>(await post(CLEAR, { planId: fresh.planId, confirm: 'CLEAR' })).status,
      ).toBe('finished');
      expect(await ownerPrimaryPoint()).not.toBe(seed3);
    },
    LONG,
  );
});
