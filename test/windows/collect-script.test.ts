import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  RECEIPT_BEGIN,
  RECEIPT_END,
  renderPowerShellReceiptReport,
} from '../../src/fleet/campaign/receipt-report.js';
import { INTUNE_DETECTION_OUTPUT_LIMIT } from '../../src/probe/windows/compact.js';
import {
  EVIDENCE_SOURCES,
  renderPowerShellSources,
  SOURCES_BEGIN,
  SOURCES_END,
} from '../../src/probe/windows/sources.js';

const SCRIPT = new URL('../../scripts/collect-evidence.ps1', import.meta.url);

/** The generated block in the script, from its BEGIN marker line to its END marker line. */
function embeddedBlock(
  text: string,
  begin = SOURCES_BEGIN,
  endLine = SOURCES_END,
): { start: number; end: number; block: string } {
  const start = text.indexOf(begin);
  const endMarker = text.indexOf(endLine, start);
  expect(start, 'BEGIN marker').toBeGreaterThan(-1);
  expect(endMarker, 'END marker').toBeGreaterThan(start);
  const end = endMarker + endLine.length;
  return { start, end, block: text.slice(start, end) };
}

describe('scripts/collect-evidence.ps1', () => {
  it('embeds exactly the PowerShell of src/probe/windows/sources.ts', () => {
    let text = readFileSync(SCRIPT, 'utf8');
    const expected = renderPowerShellSources();
    const { start, end, block } = embeddedBlock(text);
    if (block !== expected && process.env.UPDATE_COLLECT_SCRIPT === '1') {
      text = text.slice(0, start) + expected + text.slice(end);
      writeFileSync(SCRIPT, text);
      return;
    }
    expect(block, 'run UPDATE_COLLECT_SCRIPT=1 npx vitest run test/windows/collect-script.test.ts').toBe(
      expected,
    );
  });

  it('embeds exactly the PowerShell of src/fleet/campaign/receipt-report.ts (the latest clear receipt)', () => {
    let text = readFileSync(SCRIPT, 'utf8');
    const expected = renderPowerShellReceiptReport();
    const { start, end, block } = embeddedBlock(text, RECEIPT_BEGIN, RECEIPT_END);
    if (block !== expected && process.env.UPDATE_COLLECT_SCRIPT === '1') {
      text = text.slice(0, start) + expected + text.slice(end);
      writeFileSync(SCRIPT, text);
      return;
    }
    expect(block, 'run UPDATE_COLLECT_SCRIPT=1 npx vitest run test/windows/collect-script.test.ts').toBe(
      expected,
    );
    // The compact output carries it under "clr", and the fallbacks that cut everything else keep it.
    expect(text).toContain(
      "try { $clr = Get-TpmDoctorClearReport (Join-Path $programData 'tpm-doctor\\runs') } catch { $clr = $null }",
    );
    expect(text.match(/if \(\$c\.Contains\('clr'\)\)/g)).toHaveLength(2);
    expect(text.indexOf("$c['clr'] = $clr")).toBeLessThan(text.indexOf('# Fit Intune'));
  });

  it('is ASCII only and has no byte order mark (Intune wants UTF-8 without BOM)', () => {
    const bytes = readFileSync(SCRIPT);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const nonAscii = [...bytes].findIndex(
      (b) => b > 0x7e || (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09),
    );
    expect(nonAscii).toBe(-1);
  });

  it('cites Intune’s detection output limit and keeps within it', () => {
    const text = readFileSync(SCRIPT, 'utf8');
    expect(INTUNE_DETECTION_OUTPUT_LIMIT).toBe(2048);
    expect(text).toContain('learn.microsoft.com/intune/intune-service/fundamentals/remediations');
    expect(text).toContain('$TpmDoctorLimit = 2048 - 2');
  });

  it('never selects an owner authorization or a recovery password', () => {
    const text = readFileSync(SCRIPT, 'utf8');
    // OwnerAuth appears only inside the presence test.
    const ownerAuthUses = text.match(/\$_\.OwnerAuth\b/g) ?? [];
    expect(ownerAuthUses).toHaveLength(1);
    expect(text).toContain("@{ n = 'OwnerAuthPresent'; e = { -not [string]::IsNullOrEmpty($_.OwnerAuth) } }");
    expect(text).not.toMatch(/\.RecoveryPassword\b/);
    expect(text).not.toMatch(/Select-Object[^\n]*RecoveryPassword/);
    // manage-bde output passes through the filter before it is written.
    expect(text).toContain('Remove-TpmDoctorSecrets @(& $exe -protectors -get $env:SystemDrive)');
    // The compact (detection) mode does not run manage-bde at all.
    const compactSources = /foreach \(\$name in @\(([^)]*)\)\) \{\s*\$r\[\$name\]/.exec(text)?.[1] ?? '';
    expect(compactSources).toContain("'bitlocker'");
    expect(compactSources).not.toContain('manage-bde');
  });

  it('every source writes the file the bundle reader expects', () => {
    const files = EVIDENCE_SOURCES.map((s) => s.file);
    expect(files).toEqual([
      'meta.json',
      'get-tpm.json',
      'win32-tpm.json',
      'is-ready.json',
      'ek-info.json',
      'tpmtool.txt',
      'dsregcmd.txt',
      'bitlocker.json',
      'manage-bde.txt',
      'enrollments.json',
      'mdm-sync.json',
      'events.json',
    ]);
  });
});
