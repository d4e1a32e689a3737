/**
 * PowerShell's text views and legacy code pages, as the readers see them: a label they do not
 * know is reported (notes), a right-aligned number is kept whole, CP850 bytes become the German
 * text they were, and an unreadable file is described by its shape, never quoted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import { parseFormatList, parseFormatTable } from '../../src/probe/windows/powershell-text.js';
import { decodeEvidenceText } from '../../src/probe/windows/text-input.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-text-views-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Format-List', () => {
  it('continues wrapped values and braces, and starts a new object when a label repeats', () => {
    const view = parseFormatList(
      [
        'MountPoint : C:',
        'KeyProtector : {RecoveryPassword,',
        '   Tpm}',
        '',
        'MountPoint : D:',
        'KeyProtector : {}',
      ].join('\n'),
    );
    expect(view.records).toEqual([
      { MountPoint: 'C:', KeyProtector: '{RecoveryPassword,\nTpm}' },
      { MountPoint: 'D:', KeyProtector: '{}' },
    ]);
  });
});

describe('Format-Table', () => {
  it('keeps a right-aligned number that starts left of its dashes', () => {
    const t = parseFormatTable(
      [
        'TimeCreated                      Id Message',
        '-----------                      -- -------',
        '12/12/2025 11:55:00            1808 Secure Boot updated',
      ].join('\n'),
    );
    expect(t?.rows).toEqual([
      { TimeCreated: '12/12/2025 11:55:00', Id: '1808', Message: 'Secure Boot updated' },
    ]);
  });
});

describe('legacy code pages', () => {
  it('reads CP850 (cmd on German Windows) as the German text', () => {
    const bytes = Buffer.from([0x53, 0x63, 0x68, 0x6c, 0x81, 0x73, 0x73, 0x65, 0x6c]); // "Schl" 0x81 "ssel"
    expect(decodeEvidenceText(bytes)).toBe('Schlüssel');
  });

  it('reads UTF-16BE without a BOM', () => {
    expect(decodeEvidenceText(Buffer.from('\u0000T\u0000p\u0000m\u0000:', 'latin1'))).toBe('Tpm:');
  });

  it('reads CP1252 (Notepad on French Windows) as the French text', () => {
    const bytes = Buffer.from([0x70, 0x72, 0xe9, 0x73, 0x65, 0x6e, 0x74]); // "pr" 0xE9 "sent"
    expect(decodeEvidenceText(bytes)).toBe('présent');
  });
});

describe('the bundle reader', () => {
  it('reports a label it does not know, and still reads the source', async () => {
    const dir = mkdtempSync(join(scratch, 'notes-'));
    writeFileSync(
      join(dir, 'get-tpm.json'),
      'TpmPresent : True\nTpmReady : True\nLockedOut : False\nFrobnicated : Yes\n',
    );
    const e = await readEvidenceBundle(dir);
    expect(e.getTpm?.tpmPresent).toBe(true);
    expect(e.notes).toEqual([
      { source: 'get-tpm', file: 'get-tpm.json', message: expect.stringContaining('Frobnicated') },
    ]);
  });

  it('describes an unreadable file by its shape, never by its content', async () => {
    const dir = mkdtempSync(join(scratch, 'garbage-'));
    writeFileSync(join(dir, 'get-tpm.json'), 'my secret notes about PC-0042\nand more\n');
    const e = await readEvidenceBundle(dir);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.message).toMatch(/TpmPresent.*found 2 lines of other text$/);
    expect(e.problems[0]!.message).not.toMatch(/secret|PC-0042/);
  });
});
