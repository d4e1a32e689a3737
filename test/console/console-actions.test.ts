/**
 * What the console starts, through its API, against `tpm-doctor console --tenant lab` with two
 * devices backed by real swtpm instances: a triage, dry runs (the same plan the CLI's --dry-run
 * prints), a sync campaign followed over Server-Sent Events to compliant, stop, resume, abandon,
 * and a clear campaign through approval and the typed CLEAR to a device cleared and proven. And
 * every bad request each of these endpoints can get.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AbandonResponse,
  CampaignDetailResponse,
  CampaignPlanResponse,
  DeviceListResponse,
  FleetResponse,
  StartedResponse,
} from '../../src/console/api-types.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { readEvents, type SseEvent } from './console-events.js';
import { type HttpAnswer, request, signIn } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '1000', '--lab-seed', '21', '--lab-window-ms', '2000'];
/** Generous: the 2-core CI machine runs other suites at the same time. */
const LONG = 300_000;

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-actions-');
let running: ConsoleProcess;
let cookie: string;
let store: string;
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

async function postOk<T>(path: string, body: unknown, status = 200): Promise<T> {
  const answer = await post(path, body);
  expect(answer.status, `${path}: ${answer.body}`).toBe(status);
  return JSON.parse(answer.body) as T;
}

async function get<T>(path: string): Promise<T> {
  const answer = await request(running.origin, path, { cookie });
  answers.push(answer);
  expect(answer.status, `${path}: ${answer.body}`).toBe(200);
  return JSON.parse(answer.body) as T;
}

function errorOf(answer: HttpAnswer): string {
  return (JSON.parse(answer.body) as { error: string }).error;
}

beforeAll(async () => {
  assertSwtpmAvailable();
  store = `sqlite:${tmp.file('fleet.sqlite')}`;
  // The console opens an existing store: a first triage by the CLI, as an admin's would be.
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  running = await startConsoleCli([...LAB, '--lab-swtpm', '2', '--store', store]);
  cookie = await signIn(running.signInUrl);
}, 400_000);

afterAll(async () => {
  if (running) {
    const end = await running.stop('SIGTERM');
    expect(end.code).toBe(0);
    const token = new URL(running.signInUrl).searchParams.get('token') as string;
    const session = cookie.split('=')[1] as string;
    for (const answer of answers) {
      expect(answer.body).not.toContain(token);
      expect(answer.body).not.toContain(session);
    }
  }
});

describe('console actions: bad input', () => {
  it('refuses a foreign or missing Origin on every state-changing endpoint', async () => {
    for (const path of ['/api/triage', '/api/campaigns/plan', '/api/campaigns', '/api/campaigns/c-x/stop']) {
      const foreign = await post(path, {}, { origin: 'http://evil.test' });
      expect(foreign.status, path).toBe(403);
      expect(foreign.body).toContain('another origin');
      const none = await request(running.origin, path, { method: 'POST', cookie, body: '{}' });
      expect(none.status, path).toBe(403);
      expect(none.body).toContain('no Origin header');
    }
    // And without the session: 401, whatever the body.
    const signedOut = await request(running.origin, '/api/triage', {
      method: 'POST',
      headers: { origin: running.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signedOut.status).toBe(401);
  });

  it('refuses oversized, malformed and non-JSON bodies with one clear sentence', async () => {
    const big = await post(
      '/api/campaigns/plan',
      JSON.stringify({ action: 'sync', pad: 'x'.repeat(70_000) }),
    );
    expect(big.status).toBe(413);
    expect(errorOf(big)).toBe('The request body is over 65536 bytes.');
    const malformed = await post('/api/campaigns/plan', '{"action":');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toBe('The request body is not valid JSON.');
    const list = await post('/api/campaigns/plan', '[1,2]');
    expect(list.status).toBe(400);
    expect(errorOf(list)).toBe('The request body must be a JSON object.');
    // A form of another site can send text/plain without a preflight; JSON it cannot.
    const form = await post('/api/triage', '{}', { 'content-type': 'text/plain' });
    expect(form.status).toBe(415);
  });

  it('checks every field of a dry run and a start', async () => {
    const cases: [unknown, RegExp][] = [
      [{ action: 'wipe', classes: ['sync-stale'] }, /"action" must be one of sync, reboot, remediate, clear/],
      [{ action: 'sync', classes: ['<script>'] }, /"classes" holds a value that is not one of/],
      [{ action: 'sync', classes: 'sync-stale' }, /"classes" must be a list/],
      [{ action: 'sync', clearSafety: ['maybe'] }, /"clearSafety" holds a value/],
      [{ action: 'sync', deviceIds: ['not a guid'] }, /"deviceIds" holds a value/],
      [
        { action: 'sync', deviceIds: Array(1001).fill('0000-0000-0000') },
        /"deviceIds" must be a list of 1 to 1000/,
      ],
      [
        { action: 'sync', deviceIds: ['00000000-0000-0000-0000-000000000001'], classes: ['sync-stale'] },
        /either by id or by class/,
      ],
      [{ action: 'sync' }, /Say which devices/],
      [{ action: 'sync', classes: ['sync-stale'], yes: true }, /Unknown field/],
      [{ action: 'sync', models: ['a\nb'] }, /"models" must be a list of 1 to 50 values/],
      [{ action: 'sync', models: 'Surface Laptop 5' }, /"models" must be a list/],
      [{ action: 'sync', tpmManufacturers: [] }, /"tpmManufacturers" must be a list/],
      [{ action: 'sync', errorCodes: ['0x87D1FDE8'] }, /"errorCodes" must be a list/],
      [{ action: 'sync', blockers: ['Not A Code'] }, /"blockers" must be a list/],
      [{ action: 'sync', notSyncedFor: '7 days' }, /"notSyncedFor" must be a number of days or hours/],
      // The deadline as `--deadline` takes it: the same parser and the same bound.
      [
        { action: 'sync', classes: ['sync-stale'], deadline: 'soon' },
        /^"deadline" expects a duration such as 90s, 45m, 24h or 2d, got "soon"\.$/,
      ],
      [
        { action: 'sync', classes: ['sync-stale'], deadline: '400d' },
        /^"deadline" is at most 366d, got "400d"\.$/,
      ],
      [{ action: 'sync', classes: ['sync-stale'], deadline: 15 }, /"deadline" expects a duration/],
      [
        { action: 'sync', deviceIds: ['00000000-0000-0000-0000-000000000001'], models: ['x'] },
        /either by id or by class/,
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await post('/api/campaigns/plan', body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(errorOf(answer)).toMatch(message);
      expect(answer.body).not.toContain('<script>');
    }
    const noPlan = await post('/api/campaigns', { approvedBy: 'A' });
    expect(noPlan.status).toBe(400);
    expect(errorOf(noPlan)).toMatch(/starts from its dry run/);
    const unknownPlan = await post('/api/campaigns', { planId: 'made-up' });
    expect(unknownPlan.status).toBe(404);
    expect(errorOf(unknownPlan)).toMatch(/run the dry run again/);
  });

  it('answers an unknown campaign or triage with 404, a malformed id with 400, a wrong method with 405', async () => {
    for (const verb of ['stop', 'resume', 'abandon']) {
      const answer = await post(`/api/campaigns/c-20000101-000000-000000/${verb}`, undefined);
      expect(answer.status, verb).toBe(404);
      expect(errorOf(answer)).toBe('No such campaign of this tenant.');
      expect((await post(`/api/campaigns/a%20b/${verb}`, undefined)).status).toBe(400);
    }
    const unknown = await request(running.origin, '/api/campaigns/c-20000101-000000-000000', { cookie });
    expect(unknown.status).toBe(404);
    const events = await readEvents(running.origin, '/api/campaigns/c-20000101-000000-000000/events', cookie);
    expect(events.status).toBe(404);
    expect((await readEvents(running.origin, '/api/triage/triage-99/events', cookie)).status).toBe(404);
    expect((await readEvents(running.origin, '/api/triage/..%2f/events', cookie)).status).toBe(404);
    const get = await request(running.origin, '/api/campaigns/plan', { cookie });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const put = await request(running.origin, '/api/campaigns', {
      method: 'PUT',
      cookie,
      headers: { origin: running.origin },
    });
    expect(put.status).toBe(405);
    const thisDevice = await request(running.origin, '/api/this-device?fresh=1', { cookie });
    expect(thisDevice.status).toBe(400);
    const withFields = await post('/api/campaigns/c-20000101-000000-000000/stop', { force: true });
    expect(withFields.status).toBe(400);
  });
});

describe('console actions against the lab', () => {
  it(
    'runs a triage in the console and follows it to its end over Server-Sent Events',
    async () => {
      const started = await postOk<StartedResponse>('/api/triage', {}, 202);
      expect(started.id).toMatch(/^triage-\d+$/);
      expect(started.lab).toBe(true);
      const { events, ended } = await readEvents(running.origin, `/api/triage/${started.id}/events`, cookie);
      expect(ended).toBe(true);
      const end = events.at(-1) as SseEvent;
      expect(end.event).toBe('end');
      const result = end.data as { runId: number; devices: number; error: string | null };
      expect(result.error).toBeNull();
      expect(result.devices).toBe(1000);
      const fleet = await get<FleetResponse>('/api/fleet');
      expect(fleet.run?.id).toBe(result.runId);
    },
    LONG,
  );

  it(
    "plans a sync by model and TPM maker: the fleet table's devices, and the CLI's dry run with the same flags",
    async () => {
      const fleet = await get<FleetResponse>('/api/fleet');
      const model = fleet.facts.models.find((m) => m.value !== 'unknown')?.value as string;
      expect(model).toBeDefined();
      const ofModel = await get<DeviceListResponse>(
        `/api/fleet/devices?model=${encodeURIComponent(model)}&pageSize=500`,
      );
      const maker = ofModel.devices[0]?.tpmManufacturer as string;
      const query = `model=${encodeURIComponent(model)}&tpmManufacturer=${encodeURIComponent(maker)}`;
      const table = await get<DeviceListResponse>(`/api/fleet/devices?${query}&pageSize=500`);
      expect(table.total).toBeGreaterThan(0);
      expect(table.total).toBeLessThanOrEqual(ofModel.total);

      const plan = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'sync',
        models: [model],
        tpmManufacturers: [maker],
      });
      expect(plan.devices).toBe(table.total);
      expect(plan.selection).toBe(`model ${model}; TPM maker ${maker} in triage run ${fleet.run?.id}`);
      expect(plan.sample.map((d) => d.deviceId).sort()).toEqual(table.devices.map((d) => d.deviceId).sort());
      const cli = await runCli(
        [
          'fleet',
          'sync',
          ...LAB,
          '--model',
          model,
          '--tpm-maker',
          maker,
          '--store',
          store,
          '--dry-run',
          '--json',
        ],
        { timeoutMs: 120_000 },
      );
      expect(cli.code, cli.stderr).toBe(0);
      const { selected, selection, ...cliPlan } = JSON.parse(cli.stdout) as {
        selected: { deviceId: string }[];
        selection: string;
      };
      expect(plan.plan).toEqual(cliPlan);
      expect(selected.map((d) => d.deviceId).sort()).toEqual(table.devices.map((d) => d.deviceId).sort());
      expect(selection).toBe(`triage ${fleet.run?.id}, model ${model}, TPM maker ${maker}`);
    },
    LONG,
  );

  it(
    'plans a sync as the CLI does, follows it to compliant, and stops, resumes and abandons it',
    async () => {
      const plan = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'sync',
        classes: ['sync-stale'],
        deadline: '20m',
      });
      expect(plan.devices).toBeGreaterThan(0);
      expect(plan.deadlineMs).toBe(20 * 60_000);
      expect(plan.deadlineText).toBe('20 min');
      expect(plan.confirmWord).toBeNull();
      expect(plan.needsApproval).toBe(false);
      // The same plan the CLI's dry run prints, from the same module.
      const cli = await runCli(
        ['fleet', 'sync', ...LAB, '--class', 'sync-stale', '--store', store, '--dry-run', '--json'],
        {
          timeoutMs: 120_000,
        },
      );
      expect(cli.code, cli.stderr).toBe(0);
      // The CLI's JSON adds the devices it selected and the filters that chose them; the console
      // lists the devices on its own page and says the filters in its own words.
      const { selected, selection, ...cliPlan } = JSON.parse(cli.stdout) as {
        selected?: unknown[];
        selection?: string;
      };
      expect(plan.plan).toEqual(cliPlan);
      expect(selected).toHaveLength(plan.devices);
      expect(selection).toMatch(/^triage \d+, class sync-stale$/);
      // A sync is the remedy of sync-stale: no warning. A reboot is not: the CLI's dry run and the
      // console's say so in the same line (src/fleet/campaign/remedy-fit.ts).
      expect(plan.remedyWarnings).toEqual([]);
      const reboot = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'reboot',
        classes: ['sync-stale'],
      });
      const warning = `Warning: reboot is not the remedy for ${plan.devices} device${plan.devices === 1 ? '' : 's'} of class "Sync stale": Sync the device (tpm-doctor fleet sync); if it does not check in, have the user sign in online.`;
      expect(reboot.remedyWarnings).toEqual([warning]);
      const cliReboot = await runCli(
        ['fleet', 'sync', '--reboot', ...LAB, '--class', 'sync-stale', '--store', store, '--dry-run'],
        { timeoutMs: 120_000 },
      );
      expect(cliReboot.code, cliReboot.stderr).toBe(0);
      expect(cliReboot.stdout.split('\n')).toContain(warning);

      const started = await postOk<StartedResponse>('/api/campaigns', { planId: plan.planId }, 202);
      // A plan starts one campaign only.
      expect((await post('/api/campaigns', { planId: plan.planId })).status).toBe(404);
      const path = `/api/campaigns/${started.id}/events`;
      const compliant = (events: readonly SseEvent[]) =>
        events.some((e) => e.event === 'device' && (e.data as { phase: string }).phase === 'compliant');
      const watched = await readEvents(running.origin, path, cookie, compliant);
      expect(watched.events[0]?.event).toBe('snapshot');
      expect(compliant(watched.events)).toBe(true);
      // The progress line `fleet sync` keeps on its terminal, from the same formatter.
      const progress = watched.events.find((e) => e.event === 'progress') as SseEvent;
      expect((progress.data as { line: string }).line).toMatch(
        new RegExp(`^sync ${started.id}: \\d+/\\d+ done · pending \\d+ · awaiting sync \\d+ · `),
      );
      // Devices off the network (the lab's stays-broken ones) keep it open until its deadline.
      const open = await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`);
      expect(open.running).toBe(true);
      expect(open.status.open).toBeGreaterThan(0);
      expect(open.status.counts.compliant).toBeGreaterThan(0);
      // `fleet status ID`'s lines: times in the admin's time zone with the zone named, the totals.
      expect(open.fields.map((f) => f.label)).toEqual(['Created:', 'Deadline:', 'Devices:']);
      // 20 min from when the campaign was created; the store stamps createdAt itself, a moment later.
      const openSpan = Date.parse(open.status.deadline) - Date.parse(open.status.createdAt);
      expect(openSpan).toBeGreaterThan(19 * 60_000);
      expect(openSpan).toBeLessThanOrEqual(20 * 60_000);
      expect(open.fields[0]?.value).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/);
      expect(open.fields[1]?.value).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/);
      expect(open.fields[2]?.value).toMatch(/^\d+ \(\d+ done, \d+ open\)$/);

      // A page that reconnects with the last id it saw gets what follows, not a snapshot.
      const lastId = watched.events.at(-1)?.id as number;
      const again = await readEvents(running.origin, path, cookie, (events) => events.length > 0, lastId - 1);
      expect(again.events[0]).toEqual(watched.events.at(-1));

      // Stop, as Ctrl-C: recorded, resumable.
      await postOk(`/api/campaigns/${started.id}/stop`, undefined);
      const stopped = await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`);
      expect(stopped.running).toBe(false);
      expect(stopped.status.status).toBe('stopped');
      const stopAgain = await post(`/api/campaigns/${started.id}/stop`, undefined);
      expect(stopAgain.status).toBe(409);
      const stream = await readEvents(running.origin, path, cookie);
      expect(stream.ended).toBe(true);
      expect(stream.events.at(-1)).toMatchObject({ event: 'end', data: { status: 'stopped' } });
      // The campaign keeps the console's connection options (never a secret): `fleet status ID`
      // prints the full command that resumes it, as for a campaign the CLI started.
      const status = await runCli(['fleet', 'status', started.id, '--store', store], { timeoutMs: 60_000 });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(
        `"tpm-doctor fleet resume ${started.id} --tenant lab --lab-devices 1000 --lab-seed 21 --lab-window-ms 2000 --lab-swtpm 2 --store `,
      );
      // A page that follows the campaign (?follow=1) stays after the run ended and sees what any
      // other page does next: the resume below, then the abandon.
      const abandonedEnd = (events: readonly SseEvent[]) =>
        events.some((e) => e.event === 'end' && (e.data as { status: string }).status === 'abandoned');
      let caughtUp: () => void = () => undefined;
      const stoppedSeen = new Promise<void>((resolve) => {
        caughtUp = resolve;
      });
      const following = readEvents(running.origin, `${path}?follow=1`, cookie, (events) => {
        // The snapshot and the stopped run's end: the page is up to date before anyone acts.
        if (events.length >= 2) caughtUp();
        return abandonedEnd(events);
      });
      await stoppedSeen;
      expect((await readEvents(running.origin, `${path}?follow=2`, cookie)).status).toBe(400);
      expect((await readEvents(running.origin, `${path}?follow=1&x=1`, cookie)).status).toBe(400);

      // Resume: the same campaign runs again; nothing posted is posted again.
      await postOk(`/api/campaigns/${started.id}/resume`, undefined, 202);
      expect((await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`)).running).toBe(true);
      expect((await post(`/api/campaigns/${started.id}/resume`, undefined)).status).toBe(409);

      // Abandon: stopped here first, then never resumed; the devices not done are listed.
      const abandoned = await postOk<AbandonResponse>(`/api/campaigns/${started.id}/abandon`, undefined);
      expect(abandoned.notDone.length).toBeGreaterThan(0);
      expect(abandoned.notDone.every((d) => d.posted)).toBe(true);
      const after = await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`);
      expect(after.status.status).toBe('abandoned');
      // Devices may have reached compliant since the first look: the list is what is open now.
      expect(after.status.open).toBe(abandoned.notDone.length);
      expect(after.status.counts.compliant).toBeGreaterThanOrEqual(open.status.counts.compliant ?? 0);
      const resumeAbandoned = await post(`/api/campaigns/${started.id}/resume`, undefined);
      expect(resumeAbandoned.status).toBe(409);
      expect(errorOf(resumeAbandoned)).toMatch(/abandoned: it is never resumed/);
      // `fleet abandon`'s own sentence and list, from the same module and catalog.
      expect(abandoned.abandonedText).toBe(
        `Abandoned: never posted again, never resumed; ${abandoned.notDone.length} devices not done.`,
      );
      expect(abandoned.notDoneLines[0]).toBe(`Not done (${abandoned.notDone.length}):`);
      const first = abandoned.notDone[0] as AbandonResponse['notDone'][number];
      expect(abandoned.notDoneLines[1]).toMatch(
        new RegExp(`^${first.deviceId}( \\(.+\\))?: .+ \\(no longer followed\\)$`),
      );
      const followed = await following;
      expect(followed.ended).toBe(false);
      const kinds = followed.events.map((e) => e.event);
      expect(kinds[0]).toBe('snapshot');
      expect(kinds[1]).toBe('end');
      expect(kinds.indexOf('running')).toBeGreaterThan(1);
      expect(followed.events.at(-1)).toMatchObject({ event: 'end', data: { status: 'abandoned' } });
    },
    LONG,
  );

  it(
    'clears through the approval and the typed CLEAR, checked by the server, to a device cleared and proven',
    async () => {
      const plan = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'clear',
        clearSafety: ['safe'],
      });
      expect(plan.confirmWord).toBe('CLEAR');
      expect(plan.needsApproval).toBe(true);
      expect(plan.devices).toBeGreaterThan(0);
      const cli = await runCli(
        ['fleet', 'clear', ...LAB, '--clear-safety', 'safe', '--store', store, '--dry-run', '--json'],
        {
          timeoutMs: 120_000,
        },
      );
      expect(cli.code, cli.stderr).toBe(0);
      // The CLI's JSON adds the devices it selected; the console lists them on its own page.
      const { selected, ...cliPlan } = JSON.parse(cli.stdout) as { selected?: unknown[] };
      expect(plan.plan).toEqual(cliPlan);
      expect(selected).toBeUndefined(); // a clear's plan lists its devices itself

      const approval = { approvedBy: 'A. Admin', ticket: 'CHG-1234' };
      const refusals: [unknown, number, RegExp][] = [
        [{ planId: plan.planId, confirm: 'CLEAR' }, 400, /who approved it and the ticket/],
        [{ planId: plan.planId, ...approval }, 400, /type CLEAR/],
        [{ planId: plan.planId, ...approval, confirm: 'clear' }, 400, /type CLEAR/],
        [{ planId: plan.planId, ...approval, confirm: 'CLEAR!' }, 400, /type CLEAR/],
        [
          { planId: plan.planId, approvedBy: 'A <b>', ticket: 'CHG-1', confirm: 'CLEAR' },
          400,
          /approved-by|approver|letters/i,
        ],
      ];
      for (const [body, status, message] of refusals) {
        const answer = await post('/api/campaigns', body);
        expect(answer.status, JSON.stringify(body)).toBe(status);
        expect(errorOf(answer)).toMatch(message);
      }
      // Nothing was created by the refusals.
      const before = await get<{ campaigns: { action: string }[] }>('/api/campaigns');
      expect(before.campaigns.filter((c) => c.action === 'clear')).toEqual([]);

      const started = await postOk<StartedResponse>(
        '/api/campaigns',
        { planId: plan.planId, ...approval, confirm: ' CLEAR ' },
        202,
      );
      const { events, ended } = await readEvents(
        running.origin,
        `/api/campaigns/${started.id}/events`,
        cookie,
      );
      expect(ended).toBe(true);
      expect(events.at(-1)).toMatchObject({ event: 'end', data: { status: 'finished', error: null } });
      const detail = await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`);
      const proven = detail.devices.filter((d) => /cleared, proven/.test(d.note ?? ''));
      // The lab's two swtpm-backed devices are cleared for real and prove it.
      expect(proven.length).toBe(2);
      expect(proven.every((d) => d.phase === 'compliant')).toBe(true);

      // The same dry run again, on the same triage: every device it would have chosen was cleared
      // by that campaign after the triage was taken, so it is refused with why, not chosen again.
      const again = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'clear',
        clearSafety: ['safe'],
      });
      expect(again.devices).toBe(0);
      expect(again.refusedCount).toBe(plan.devices);
      expect(again.refused.length).toBeGreaterThan(0);
      for (const refused of again.refused) {
        expect(refused.reason).toMatch(
          new RegExp(
            `^cleared by campaign ${started.id} \\(.+\\) after triage \\d+ was taken: run \`fleet triage\` again`,
          ),
        );
      }
      const cliAgain = await runCli(
        ['fleet', 'clear', ...LAB, '--clear-safety', 'safe', '--store', store, '--dry-run', '--json'],
        { timeoutMs: 120_000 },
      );
      expect(cliAgain.code, cliAgain.stderr).toBe(0);
      expect(again.plan).toEqual(JSON.parse(cliAgain.stdout));
    },
    LONG,
  );
});
