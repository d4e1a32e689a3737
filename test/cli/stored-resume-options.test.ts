/**
 * The resume command `fleet status ID` prints from a campaign's stored connection options
 * (docs/store.md, schema 6): whoever can write the store must not choose where the pasted command
 * sends its Graph token. Unit checks of each option, then the built CLI on a SQLite store whose
 * `campaigns.resume_options` was edited in the file, as an attacker with write access would.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkedResumeOptions } from '../../src/cli/fleet/stored-resume-options.js';
import { SqliteFleetStore } from '../../src/fleet/store/sqlite-store.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-stored-resume-options-');

const GOOD = {
  'graph-url': 'https://graph.microsoft.us',
  'tenant-id': 'contoso.onmicrosoft.com',
  'client-id': '00000000-0000-0000-0000-000000000001',
  auth: 'client-certificate',
  certificate: "/home/O'Brien/my app.pem",
  'graph-share': '0.5',
};

describe('checkedResumeOptions', () => {
  it("keeps what the CLI stores from a real connection: Graph's national clouds, a loopback lab, GUID or domain tenants", () => {
    expect(checkedResumeOptions(GOOD)).toEqual({ options: GOOD, dropped: [] });
    for (const url of [
      'https://graph.microsoft.com',
      'https://graph.microsoft.com/',
      'https://dod-graph.microsoft.us',
      'https://microsoftgraph.chinacloudapi.cn',
      'http://127.0.0.1:41234',
      'https://localhost:8443/',
      'http://[::1]:9000',
    ]) {
      expect(checkedResumeOptions({ 'graph-url': url }).dropped, url).toEqual([]);
    }
    expect(
      checkedResumeOptions({
        tenant: 'lab',
        'lab-devices': '600',
        'lab-seed': '31',
        'lab-window-ms': '15000',
        'lab-swtpm': '2',
        'tenant-id': '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
        auth: 'managed-identity',
      }).dropped,
    ).toEqual([]);
  });

  it('drops a Graph URL that is not Graph or loopback, and any value that is not what the CLI would have stored', () => {
    for (const url of [
      'https://graph.microsoft.com.evil.example',
      'https://evil.example',
      'http://graph.microsoft.com',
      'https://graph.microsoft.com:8443',
      'https://graph.microsoft.com/v1.0/../../x',
      'https://user@graph.microsoft.com',
      'https://graph.microsoft.com/?x=1',
      'https://graph.microsoft.com#x',
      'https://127.0.0.1.evil.example',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(checkedResumeOptions({ 'graph-url': url }).dropped, url).toEqual(['graph-url']);
    }
    expect(
      checkedResumeOptions({
        'tenant-id': 'x\'$(touch /tmp/pwn)`id`"\n;',
        'client-id': 'app-1',
        auth: 'client-secret --graph-url https://evil.example',
        certificate: '/tmp/a\u202ecod.pem',
        tenant: 'evil tenant',
        'lab-seed': '1; id',
        'graph-share': '2',
        '--graph-url': 'https://evil.example',
      }).options,
    ).toEqual({});
  });

  it('drops a loopback Graph URL stored with a real sign-in mode: its token would go to that port', () => {
    for (const auth of ['client-secret', 'client-certificate', 'device-code', 'managed-identity']) {
      expect(checkedResumeOptions({ 'graph-url': 'http://127.0.0.1:41234', auth }), auth).toEqual({
        options: { auth },
        dropped: ['graph-url'],
      });
    }
    // A lab signs in by itself, and is its own authority for a browser sign-in.
    const labs: Record<string, string>[] = [
      { 'graph-url': 'http://127.0.0.1:41234' },
      { 'graph-url': 'https://localhost:8443', auth: 'browser' },
    ];
    for (const stored of labs) {
      expect(checkedResumeOptions(stored)).toEqual({ options: stored, dropped: [] });
    }
  });
});

describe('fleet status ID with resume options edited in the store', () => {
  it('prints only the checked options and names the others in a note, never their values', async () => {
    const file = tmp.file('fleet.sqlite');
    const store = await SqliteFleetStore.open(file);
    await store.createCampaign({
      id: 'c-edited',
      action: 'sync',
      target: 'https://graph.microsoft.com tenant contoso.onmicrosoft.com',
      selection: 'all',
      deadline: '2030-01-01T00:00:00.000Z',
      devices: [{ deviceId: 'd-1', deviceName: null, baselineSync: null }],
      resumeOptions: { 'graph-url': 'https://graph.microsoft.com', 'client-id': GOOD['client-id'] },
    });
    await store.setCampaignStatus('c-edited', 'stopped');
    await store.close();
    const raw = new Database(file);
    raw.prepare('UPDATE campaigns SET resume_options = ? WHERE id = ?').run(
      JSON.stringify({
        'graph-url': 'https://graph.microsoft.com.evil.example',
        'tenant-id': "x'$(id)",
        'client-id': GOOD['client-id'],
        auth: 'browser',
      }),
      'c-edited',
    );
    raw.close();
    const status = await runCli(['fleet', 'status', 'c-edited', '--store', `sqlite:${file}`]);
    expect(status.code, status.stderr).toBe(0);
    const printed = /Stopped: "([^"]+)" resumes it\./.exec(status.stdout)?.[1];
    expect(printed).toBe(
      `tpm-doctor fleet resume c-edited --client-id ${GOOD['client-id']} --auth browser --store sqlite:${file}`,
    );
    expect(status.stderr).toContain(
      'Note: left out of the resume command, as stored values that are not valid (the store may have been edited): --graph-url, --tenant-id.',
    );
    for (const output of [status.stdout, status.stderr]) {
      expect(output).not.toContain('evil.example');
      expect(output).not.toContain('$(id)');
    }
  }, 180_000);
});
