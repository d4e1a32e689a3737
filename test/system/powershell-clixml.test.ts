/**
 * PowerShell's error stream as CLIXML (what -EncodedCommand writes when stderr is a pipe) read
 * back as the text PowerShell would have shown. The reference is a real stderr kept verbatim in
 * real-outputs/ with its source; the other cases are synthetic, built from the documented
 * encoding (XML entities, `_xHHHH_` for CR/LF/ESC and `_x005F_` for an underscore).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readablePowerShellStderr } from '../../src/system/powershell-clixml.js';
import { noResultMessage } from '../../src/system/powershell-envelope.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const real = (name: string) => readFileSync(path.join(here, 'real-outputs', name), 'utf8');

describe('PowerShell stderr as CLIXML', () => {
  it('a real Write-Error (PowerShell issue 16678): the message, without the colour codes', () => {
    const stderr = real('powershell-16678-clixml-write-error.txt');
    const source = JSON.parse(real('powershell-16678-clixml-write-error.source.json')) as {
      expected: string;
    };
    expect(readablePowerShellStderr(stderr).trim()).toBe(source.expected);
    expect(noResultMessage({ exitCode: 1, stdout: '', stderr, timedOut: false })).toBe(
      `PowerShell exited with 1 and no result: ${source.expected}`,
    );
  });

  it('several error lines with CRLF, XML entities and an escaped underscore; progress records left out', () => {
    const stderr =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">' +
      '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T></TN></Obj>' +
      '<S S="Error">Get-Tpm : Access denied &lt;0x80041003&gt; &amp; more_x000D__x000A_</S>' +
      '<S S="Error">    + FullyQualifiedErrorId : A_x005F_x0041_B_x000D__x000A_</S></Objs>';
    expect(readablePowerShellStderr(stderr)).toBe(
      'Get-Tpm : Access denied <0x80041003> & more\r\n    + FullyQualifiedErrorId : A_x0041_B\r\n',
    );
    expect(noResultMessage({ exitCode: 1, stdout: '', stderr, timedOut: false })).toBe(
      'PowerShell exited with 1 and no result: Get-Tpm : Access denied <0x80041003> & more',
    );
  });

  it('plain text stderr, and text before the block, are kept as they are', () => {
    expect(readablePowerShellStderr('At line:1 char:1\r\n+ x')).toBe('At line:1 char:1\r\n+ x');
    expect(readablePowerShellStderr('warning\n#< CLIXML\n<Objs><S S="Error">boom</S></Objs>')).toBe(
      'warning\nboom',
    );
  });

  it('a cut-off block (no </Objs>) still yields the error strings it holds', () => {
    expect(readablePowerShellStderr('#< CLIXML\n<Objs><S S="Error">first_x000A_</S><S S="Err')).toBe(
      'first\n',
    );
  });
});
