/**
 * Hostile evidence files (docs/security.md, "A hostile evidence file"): a bundle is whatever a user
 * sent to the helpdesk, read by tpm-doctor running as root. Only regular files are read, a link is
 * never followed, each source has a size cap, and no error quotes what a file holds.
 */
import { execFileSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import { EvidenceError } from '../../src/probe/windows/evidence-error.js';
import { FIXTURES } from './support.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-hostile-evidence-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in for /etc/shadow or a .pgpass: a secret the bundle's author cannot read but root can. */
const SECRET_LINE = 'root:$6$s3cr3tSALT$hashhashhash:19000:0:99999:7:::';
const secretFile = join(scratch, 'shadow');
writeFileSync(secretFile, `${SECRET_LINE}\ndaemon:*:19000:0:99999:7:::\n`);

function bundleWith(name: string, setup: (dir: string) => void): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'dsregcmd.txt'), readFileSync(join(FIXTURES, 'healthy/dsregcmd.txt')));
  setup(dir);
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<EvidenceError> {
  const error = await promise.then(
    () => {
      throw new Error('expected an EvidenceError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvidenceError);
  return error as EvidenceError;
}

/**
 * A bundle whose tpmtool.txt is `link`ed to the secret: that file is refused with `refusal`, the
 * others are still read, and nothing of the secret shows anywhere in the evidence.
 */
async function expectMemberRefused(
  name: string,
  link: (target: string, path: string) => void,
  refusal: string,
): Promise<string> {
  const dir = bundleWith(name, (d) => link(secretFile, join(d, 'tpmtool.txt')));
  const evidence = await readEvidenceBundle(dir);
  expect(evidence.dsregcmd?.azureAdJoined).toBe(true);
  expect(evidence.tpmtool).toBeNull();
  expect(evidence.problems).toEqual([
    { source: 'tpmtool', file: 'tpmtool.txt', message: `tpmtool.txt: ${refusal}` },
  ]);
  expect(JSON.stringify(evidence)).not.toContain('root:');
  expect(JSON.stringify(evidence)).not.toContain('s3cr3t');
  return dir;
}

describe('hostile evidence files', () => {
  it('a bundle file that is a link to a secret is not followed, and nothing of the secret is shown', async () => {
    await expectMemberRefused('linked', symlinkSync, 'is a symbolic link; expected a regular file');
  });

  it('a single file given as a link is refused without reading it', async () => {
    const link = join(scratch, 'compact-link.txt');
    symlinkSync(secretFile, link);
    const error = await rejection(readEvidenceBundle(link));
    expect(error.message).toBe(
      `${link}: is a symbolic link; expected an evidence bundle directory or a compact evidence file`,
    );
  });

  it('a bundle file that is a hard link to a secret is refused unread, naming the file and what it is', async () => {
    const dir = await expectMemberRefused(
      'hard-linked',
      linkSync,
      'is a hard link (one of 2 names of the same file); expected a regular file with one name (a copy)',
    );
    rmSync(join(dir, 'tpmtool.txt'));
  });

  it('a single file given as a hard link is refused in one line without reading it', async () => {
    const link = join(scratch, 'compact-hard-link.txt');
    linkSync(secretFile, link);
    try {
      const error = await rejection(readEvidenceBundle(link));
      expect(error.message).toBe(
        `${link}: is a hard link (one of 2 names of the same file); expected a regular file with one name (a copy)`,
      );
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain('root:');
    } finally {
      rmSync(link);
    }
  });

  it('a file that is not evidence is described, never quoted', async () => {
    const copy = join(scratch, 'notes.txt');
    writeFileSync(copy, readFileSync(secretFile));
    const error = await rejection(readEvidenceBundle(copy));
    expect(error.message).toMatch(/found 2 lines of other text$/);
    expect(error.message).not.toContain('root');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('a FIFO or a device in a bundle is refused without opening it (nothing hangs)', async () => {
    const dir = bundleWith('special', (d) => {
      execFileSync('mkfifo', [join(d, 'events.json')]);
      symlinkSync('/dev/zero', join(d, 'get-tpm.json'));
    });
    const evidence = await readEvidenceBundle(dir);
    expect(Object.fromEntries(evidence.problems.map((p) => [p.source, p.message]))).toEqual({
      events: 'events.json: is a named pipe; expected a regular file',
      'get-tpm': 'get-tpm.json: is a symbolic link; expected a regular file',
    });
    const fifo = await rejection(readEvidenceBundle(join(dir, 'events.json')));
    expect(fifo.message).toMatch(/is a named pipe; expected an evidence bundle directory/);
  });

  it('an 18 MB events.json is refused by its source cap, unread', async () => {
    const dir = bundleWith('big-events', (d) => {
      writeFileSync(join(d, 'events.json'), '');
      truncateSync(join(d, 'events.json'), 18 * 1024 * 1024);
    });
    const before = process.memoryUsage().rss;
    const evidence = await readEvidenceBundle(dir);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(evidence.problems).toEqual([
      {
        source: 'events',
        file: 'events.json',
        message: 'events.json: is 18.0 MB; files of this source over 4 MB are refused without reading them',
      },
    ]);
  });
});
