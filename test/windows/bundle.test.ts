import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TpmDoctorError } from '../../src/errors.js';
import { INTUNE_DETECTION_OUTPUT_LIMIT, parseCompactEvidence } from '../../src/probe/windows/compact.js';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import { EvidenceError } from '../../src/probe/windows/evidence-error.js';
import { isIntuneEnrollment } from '../../src/probe/windows/mdm-enrollments.js';
import { decodeEvidenceText, MAX_EVIDENCE_BYTES } from '../../src/probe/windows/text-input.js';
import { CASES, FIXTURES } from './support.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-evidence-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tmp(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<EvidenceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvidenceError);
  return error as EvidenceError;
}

describe('the device cases (test/fixtures/synthetic/windows/README.md)', () => {
  it.each(CASES)('%s reads with no problems except the documented ones', async (name) => {
    const evidence = await readEvidenceBundle(join(FIXTURES, name));
    expect(evidence.origin).toBe(join(FIXTURES, name));
    const expectedProblems = name === 'secureboot-1801' ? 6 : 0;
    expect(evidence.problems).toHaveLength(expectedProblems);
  });

  it('healthy: every source read, nothing wrong', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'healthy'));
    expect(e).toMatchObject({
      computerName: 'PC-HEALTHY-01',
      elevated: true,
      collectedAt: '2024-05-14T02:11:09.512Z',
    });
    expect(e.getTpm?.tpmReady).toBe(true);
    expect(e.isReady).toEqual({ isReady: true, information: 0, flags: [] });
    expect(e.tpmtool?.clearNeededToRecover).toBe(false);
    expect(e.dsregcmd?.keySignTest).toBe('PASSED');
    expect(e.bitlocker?.[0]?.keyProtectors.map((k) => k.type)).toEqual(['Tpm', 'RecoveryPassword']);
    expect(e.enrollments?.filter(isIntuneEnrollment)).toHaveLength(1);
    expect(e.mdmSync).toEqual({
      lastSuccessfulSync: '2024-05-14T01:55:12.000Z',
      lastAttemptedSync: '2024-05-14T01:55:12.000Z',
      lastErrorCode: null,
    });
    expect(e.events).toEqual([]);
  });

  it('reduced functionality 0x900: not ready, SRK mismatch, owner auth not in the registry', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'reduced-functionality-0x900'));
    expect(e.getTpm).toMatchObject({ tpmReady: false, ownerAuthPresent: false });
    expect(e.isReady?.flags).toEqual(['ownerAuthNotInRegistry', 'srkPubMismatch']);
    expect(e.tpmtool).toMatchObject({ clearNeededToRecover: true, readyForStorage: false });
    expect(e.mdmSync?.lastErrorCode).toBe('0x80280400');
  });

  it('lockout: locked out in Get-Tpm and tpmtool, TPM-WMI 1026, no PRT', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'lockout'));
    expect(e.getTpm).toMatchObject({ lockedOut: true, lockoutCount: 32, lockoutMax: 32 });
    expect(e.tpmtool?.lockout).toMatchObject({ isLockedOut: true, counter: 32 });
    expect(e.events?.map((x) => x.id)).toEqual([1026, 17]);
    expect(e.dsregcmd).toMatchObject({ azureAdPrt: false, errorCodes: ['0x80090031'] });
  });

  it('Secure Boot 1801: not elevated, so only unelevated sources, and a 1801 event', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'secureboot-1801'));
    expect(e.elevated).toBe(false);
    expect(e.getTpm).toBeNull();
    expect(e.isReady).toBeNull();
    expect(e.bitlocker).toBeNull();
    expect(e.tpmtool?.readyForAttestation).toBe(true);
    expect(e.events?.map((x) => [x.provider, x.id])).toEqual([['Microsoft-Windows-TPM-WMI', 1801]]);
    expect(e.problems.map((p) => p.source)).toEqual([
      'bitlocker',
      'ek-info',
      'get-tpm',
      'is-ready',
      'manage-bde',
      'win32-tpm',
    ]);
    expect(e.problems[0]?.message).toMatch(/^bitlocker\.json: not collected on the device: .*elevated/);
  });

  it('Entra key unusable: KeySignTest failed, 0x80090016, AadRecoveryEnabled', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'entra-key-unusable-0x80090016'));
    expect(e.dsregcmd).toMatchObject({
      keySignTest: 'FAILED',
      aadRecoveryEnabled: true,
      errorCodes: ['0x80090016'],
    });
    expect(e.events?.find((x) => x.id === 304)?.message).toContain('0x80090016');
    expect(e.mdmSync?.lastErrorCode).toBe('0x80090016');
    expect(e.getTpm?.ownerAuthPresent).toBe(true);
  });

  it('BitLocker with no recovery password: the OS volume has only a TPM protector', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'bitlocker-no-recovery-password'));
    expect(e.bitlocker).toEqual([
      expect.objectContaining({
        mountPoint: 'C:',
        volumeType: 'OperatingSystem',
        protectionStatus: 'On',
        keyProtectors: [{ id: '1d3f5b7a-9c2e-4f61-8a3c-5e7b9d1f3a60', type: 'Tpm' }],
      }),
      expect.objectContaining({
        mountPoint: 'D:',
        volumeType: 'Data',
        protectionStatus: 'Off',
        keyProtectors: [],
      }),
    ]);
  });

  it('Autopilot 0x81039001: not joined, not enrolled, Autopilot events with the code', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'autopilot-0x81039001'));
    expect(e.dsregcmd).toMatchObject({ azureAdJoined: false, deviceId: null });
    expect(e.enrollments).toEqual([]);
    expect(e.bitlocker).toBeNull();
    expect(e.events?.filter((x) => x.message.includes('0x81039001')).map((x) => x.id)).toEqual([171, 172]);
  });
});

describe('the compact form (detection script output)', () => {
  it('reads the one-line JSON back, within the limit', async () => {
    const path = join(FIXTURES, 'compact/reduced-functionality-0x900.json');
    const line = readFileSync(path, 'utf8').trim();
    expect(line.length).toBeLessThanOrEqual(INTUNE_DETECTION_OUTPUT_LIMIT - 2);
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    const e = await readEvidenceBundle(path);
    expect(e.isReady?.flags).toEqual(['ownerAuthNotInRegistry', 'srkPubMismatch']);
    expect(e.getTpm?.lockoutHealTime).toBe('2 時間');
    expect(e.problems).toEqual([
      {
        source: 'compact',
        file: expect.any(String),
        message: expect.stringMatching(/dropped on the device to fit .*2048.*event messages$/),
      },
    ]);
  });

  it('gives the same facts as the full bundle of the same device', async () => {
    const full = await readEvidenceBundle(join(FIXTURES, 'reduced-functionality-0x900'));
    const compact = await readEvidenceBundle(join(FIXTURES, 'compact/reduced-functionality-0x900.json'));
    expect(compact.getTpm).toEqual(full.getTpm);
    expect(compact.win32Tpm).toEqual(full.win32Tpm);
    expect(compact.isReady).toEqual(full.isReady);
    expect(compact.ekInfo).toEqual(full.ekInfo);
    expect(compact.tpmtool).toEqual(full.tpmtool);
    expect(compact.bitlocker).toEqual(full.bitlocker);
    expect(compact.enrollments).toEqual(full.enrollments);
    expect({ ...compact.dsregcmd, raw: undefined }).toEqual({ ...full.dsregcmd, raw: undefined });
    expect(compact.mdmSync?.lastSuccessfulSync).toEqual(full.mdmSync?.lastSuccessfulSync);
    expect(compact.events?.map((x) => [x.log, x.provider, x.id, x.level, x.timeCreated])).toEqual(
      full.events?.map((x) => [x.log, x.provider, x.id, x.level, x.timeCreated]),
    );
    expect(compact).toMatchObject({
      computerName: full.computerName,
      osVersion: full.osVersion,
      elevated: true,
    });
  });

  it('finds the JSON on the last line, maps unrecognised tpmtool labels by position, and lists what was cut', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'compact/lockout-trimmed.txt'));
    expect(e.tpmtool).toMatchObject({
      tpmPresent: true,
      clearNeededToRecover: false,
      lockout: { isLockedOut: true },
    });
    expect(e.ekInfo?.publicKeyHash).toBeNull();
    expect(e.events?.map((x) => [x.provider, x.id, x.message])).toEqual([
      ['Microsoft-Windows-TPM-WMI', 1026, ''],
      ['TPM', 17, ''],
    ]);
    expect(e.problems.map((p) => p.source)).toEqual([
      'mdm-sync',
      'compact',
      'compact',
      'compact',
      'compact',
      'compact',
    ]);
    expect(e.problems[0]?.message).toMatch(/lockout-trimmed\.txt: mdm-sync was not collected on the device$/);
  });

  it('reads the line from an Intune CSV export (quotes doubled)', async () => {
    const line = readFileSync(join(FIXTURES, 'compact/reduced-functionality-0x900.json'), 'utf8').trim();
    const csv = `DeviceName,PreRemediationDetectionScriptOutput\r\nPC-JP-0900,"${line.replace(/"/g, '""')}"\r\n`;
    const e = await readEvidenceBundle(tmp('export.csv', csv));
    expect(e.computerName).toBe('PC-JP-0900');
  });

  it('refuses JSON that is not the compact form', () => {
    expect(() => parseCompactEvidence({ tpmdoctor: 'something/else' }, 'x.json')).toThrow(EvidenceError);
  });
});

describe('encodings', () => {
  const text = '-TPM Present: True\r\n';
  it('reads UTF-8 with and without BOM, UTF-16LE/BE with BOM, UTF-16LE without BOM', () => {
    expect(decodeEvidenceText(Buffer.from(text))).toBe(text);
    expect(decodeEvidenceText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(
      text,
    );
    expect(decodeEvidenceText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(
      text,
    );
    const be = Buffer.from(text, 'utf16le').swap16();
    expect(decodeEvidenceText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(text);
    expect(decodeEvidenceText(Buffer.from(text, 'utf16le'))).toBe(text);
  });

  it('reads Shift_JIS (cmd redirection on Japanese Windows) when it decodes to Japanese text', () => {
    const sjis = new Uint8Array([
      0x2d, 0x83, 0x8d, 0x83, 0x62, 0x83, 0x4e, 0x3a, 0x20, 0x54, 0x72, 0x75, 0x65,
    ]); // "-ロック: True"
    expect(decodeEvidenceText(sjis)).toBe('-ロック: True');
  });

  it('refuses what is not text, naming what it found', () => {
    expect(() => decodeEvidenceText(new Uint8Array())).toThrow('the file is empty');
    expect(() =>
      decodeEvidenceText(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\0\0\0')])),
    ).toThrow(/UTF-32/);
    expect(() => decodeEvidenceText(Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42]))).toThrow(
      /odd number of bytes/,
    );
    expect(() =>
      decodeEvidenceText(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])),
    ).toThrow(/binary data/);
    // Bytes that are neither UTF-8 nor words in a Western code page (CP850 box drawing, CP1252 symbols).
    expect(() => decodeEvidenceText(Buffer.from([0x61, 0x62, 0xb0, 0xb1, 0xb2, 0x0a]))).toThrow(
      /neither \(invalid UTF-8 byte 0xb0 at offset 2\)/,
    );
  });

  it('reads a Western legacy code page when it reads as words (CP1252 here)', () => {
    expect(decodeEvidenceText(Buffer.from('Volume E: [Donn\xe9es]\n', 'latin1'))).toBe(
      'Volume E: [Données]\n',
    );
  });
});

describe('failures name the file and what was expected', () => {
  it('a path that does not exist', async () => {
    const e = await rejection(readEvidenceBundle(join(scratch, 'missing')));
    expect(e).toBeInstanceOf(TpmDoctorError);
    expect(e.code).toBe('evidence');
    expect(e.message).toMatch(/missing: no such file or directory; expected an evidence bundle directory/);
  });

  it('an empty directory, and a directory of other files', async () => {
    const empty = mkdtempSync(join(scratch, 'empty-'));
    expect((await rejection(readEvidenceBundle(empty))).message).toMatch(
      /expected an evidence bundle \(meta\.json, .*found an empty directory/,
    );
    writeFileSync(join(empty, 'notes.txt'), 'hello');
    expect((await rejection(readEvidenceBundle(empty))).message).toMatch(
      /found 1 file, none of them evidence/,
    );
  });

  it('a garbage single file', async () => {
    const e = await rejection(readEvidenceBundle(join(FIXTURES, 'bad/not-evidence.txt')));
    expect(e.file).toBe(join(FIXTURES, 'bad/not-evidence.txt'));
    expect(e.message).toMatch(
      /not-evidence\.txt: expected compact evidence from scripts\/collect-evidence\.ps1 .*found 2 lines of other text/,
    );
    // What the file says is never quoted: it could be anything a user attached (docs/security.md).
    expect(e.message).not.toContain('Just some notes');
  });

  it('an empty, binary or wrongly encoded single file', async () => {
    expect((await rejection(readEvidenceBundle(tmp('empty.json', '')))).message).toMatch(
      /empty\.json: the file is empty/,
    );
    expect(
      (await rejection(readEvidenceBundle(tmp('pic.png', Buffer.from([0x89, 0x50, 0, 0]))))).message,
    ).toMatch(/pic\.png: expected text, found binary data/);
    expect(
      (await rejection(readEvidenceBundle(tmp('latin1.txt', Buffer.from([0x61, 0x62, 0xb0, 0xb1, 0xb2])))))
        .message,
    ).toMatch(/latin1\.txt: expected UTF-8 or UTF-16 text/);
  });

  it('an oversized file is refused without being read', async () => {
    const big = join(scratch, 'huge.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_EVIDENCE_BYTES + 1); // sparse: nothing is written, and nothing must be read
    expect((await rejection(readEvidenceBundle(big))).message).toMatch(
      /huge\.json: is 20\.0 MB; evidence files over 20 MB are refused/,
    );
  });

  it('a single source file on its own is read as that source, or fails naming it', async () => {
    const dir = mkdtempSync(join(scratch, 'single-'));
    writeFileSync(join(dir, 'dsregcmd.txt'), readFileSync(join(FIXTURES, 'healthy/dsregcmd.txt')));
    const e = await readEvidenceBundle(join(dir, 'dsregcmd.txt'));
    expect(e.dsregcmd?.azureAdJoined).toBe(true);
    expect(e.getTpm).toBeNull();
    writeFileSync(join(dir, 'tpmtool.txt'), 'garbage\r\nmore\r\nstill more\r\n');
    const err = await rejection(readEvidenceBundle(join(dir, 'tpmtool.txt')));
    expect(err.message).toBe(
      `${join(dir, 'tpmtool.txt')}: expected tpmtool getdeviceinformation output (lines like "-TPM Present: True"), found 3 lines of other text`,
    );
    expect(err.message).not.toContain('garbage');
  });

  it('in a directory, each bad file is a problem and the good ones are still read', async () => {
    const e = await readEvidenceBundle(join(FIXTURES, 'bad/garbage-bundle'));
    expect(e.computerName).toBe('PC-GARBAGE');
    expect(e.enrollments).toHaveLength(1);
    expect(e.getTpm).toBeNull();
    expect(Object.fromEntries(e.problems.map((p) => [p.source, p.message]))).toEqual({
      dsregcmd: expect.stringMatching(
        /^dsregcmd\.txt: expected dsregcmd \/status output \(a "\| Device State \|" section.*found 3 lines of other text/,
      ),
      events: expect.stringMatching(
        /^events\.json: expected Get-WinEvent .*not valid JSON: it ends early \(truncated\?\)$/,
      ),
      'get-tpm': expect.stringMatching(
        /^get-tpm\.json: expected Get-Tpm output .*: a Get-Tpm listing must have a "TpmPresent : True\|False" line; found one line of other text$/,
      ),
      'is-ready': expect.stringMatching(/^is-ready\.json: .*it ends early \(truncated\?\)$/),
      'manage-bde': expect.stringMatching(/^manage-bde\.txt: expected manage-bde -protectors -get output/),
      tpmtool: expect.stringMatching(
        /^tpmtool\.txt: expected tpmtool getdeviceinformation output .*only 1 such line \(the output is cut short\?\)$/,
      ),
      'win32-tpm': expect.stringMatching(/^win32-tpm\.json: expected a Win32_Tpm instance as JSON/),
    });
  });

  it('in a directory, an oversized or UTF-32 file is a problem too', async () => {
    const dir = mkdtempSync(join(scratch, 'mixed-'));
    writeFileSync(join(dir, 'dsregcmd.txt'), readFileSync(join(FIXTURES, 'healthy/dsregcmd.txt')));
    writeFileSync(join(dir, 'events.json'), '');
    truncateSync(join(dir, 'events.json'), MAX_EVIDENCE_BYTES + 1024);
    writeFileSync(
      join(dir, 'tpmtool.txt'),
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('-\0\0\0')]),
    );
    const e = await readEvidenceBundle(dir);
    expect(e.dsregcmd?.azureAdJoined).toBe(true);
    expect(e.problems).toEqual([
      {
        source: 'events',
        file: 'events.json',
        message: expect.stringMatching(/^events\.json: is 20\.0 MB; .*refused without reading them$/),
      },
      {
        source: 'tpmtool',
        file: 'tpmtool.txt',
        message: expect.stringMatching(/^tpmtool\.txt: found UTF-32 text; expected UTF-8 or UTF-16/),
      },
    ]);
  });
});
