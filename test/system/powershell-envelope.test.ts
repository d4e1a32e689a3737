import { describe, expect, it } from 'vitest';
import { envelopeScript, noResultMessage, readEnvelope } from '../../src/system/powershell-envelope.js';
import { POWERSHELL_PRELUDE } from '../../src/system/powershell-prelude.js';

describe('the PowerShell envelope', () => {
  it('wraps a command in the prelude, a try/catch that keeps the exception details, and one ASCII JSON line', () => {
    const s = envelopeScript('Get-Date', { header: ['# name'], depth: 4 });
    const lines = s.split('\n');
    expect(lines[0]).toBe('# name');
    expect(s).toContain(POWERSHELL_PRELUDE);
    expect(s).toContain('$r.data = & {\nGet-Date\n}');
    expect(s).toContain('$r.hresult = [int64]$_.Exception.HResult');
    expect(lines.at(-1)).toBe(
      '[Console]::Out.Write((ConvertTo-TpmDoctorAscii (ConvertTo-Json -InputObject $r -Depth 4 -Compress)))',
    );
    expect(envelopeScript('Get-Item x', { list: true })).toContain('$r.data = @(& {\nGet-Item x\n})');
  });

  it('reads a result, a failure with its HRESULT and status, and tells apart output that is no envelope', () => {
    expect(readEnvelope('{"ok":true,"data":{"a":1},"error":null}\r\n')).toEqual({
      kind: 'envelope',
      envelope: { ok: true, data: { a: 1 } },
    });
    expect(
      readEnvelope(
        'WARNING: something\r\n{"ok":false,"data":null,"error":"Access denied","hresult":-2146233088,"status":"AccessDenied"}',
      ),
    ).toEqual({
      kind: 'envelope',
      envelope: { ok: false, error: 'Access denied', hresult: -2146233088, status: 'AccessDenied' },
    });
    expect(readEnvelope('{"ok":false}')).toEqual({
      kind: 'envelope',
      envelope: { ok: false, error: null, hresult: null, status: null },
    });
    expect(readEnvelope('[1,2]')).toEqual({ kind: 'not-an-envelope', value: [1, 2] });
    expect(readEnvelope('{"data":1}')).toEqual({ kind: 'not-an-envelope', value: { data: 1 } });
    expect(readEnvelope('')).toEqual({ kind: 'no-json' });
    expect(readEnvelope('At line:1 char:1')).toEqual({ kind: 'no-json' });
  });

  it('says how PowerShell ended when it printed no envelope', () => {
    expect(noResultMessage({ exitCode: 1, stdout: '', stderr: 'At line:1\r\n+ x', timedOut: false })).toBe(
      'PowerShell exited with 1 and no result: At line:1',
    );
    expect(noResultMessage({ exitCode: null, stdout: '', stderr: '', timedOut: false })).toBe(
      'PowerShell exited with a signal and no result',
    );
  });
});
