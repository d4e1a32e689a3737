/** The resume command printed for a stopped campaign: its connection options, never a secret. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { resumeCommandLine, resumeOptions } from '../../src/cli/fleet/resume-command-line.js';
import { powershellSyntaxProblems, powershellTree } from '../support/powershell-grammar.js';

describe('resumeCommandLine', () => {
  it('carries a production connection: Graph URL, tenant, app, sign-in mode, certificate path', () => {
    expect(
      resumeCommandLine('c-1', {
        'graph-url': 'https://graph.microsoft.us',
        'tenant-id': 'contoso.onmicrosoft.com',
        'client-id': '00000000-0000-0000-0000-000000000001',
        auth: 'client-certificate',
        certificate: '/home/admin/my app.pem',
        quiet: true,
        class: 'sync-stale',
      }),
    ).toBe(
      "tpm-doctor fleet resume c-1 --graph-url https://graph.microsoft.us --tenant-id contoso.onmicrosoft.com --client-id 00000000-0000-0000-0000-000000000001 --auth client-certificate --certificate '/home/admin/my app.pem'",
    );
  });

  it("leaves a store URL's password out and quotes what a shell would split or run", () => {
    const line = resumeCommandLine('c-2', { store: 'postgres://fleet:s3cret@db.example/tpm', tenant: 'lab' });
    expect(line).not.toContain('s3cret');
    expect(line).toBe('tpm-doctor fleet resume c-2 --tenant lab --store postgres://fleet@db.example/tpm');
    expect(resumeCommandLine('c-3', { store: "sqlite:/tmp/it's $(here).sqlite" })).toBe(
      "tpm-doctor fleet resume c-3 --store 'sqlite:/tmp/it'\\''s $(here).sqlite'",
    );
  });
});

describe('resumeCommandLine and a PostgreSQL password given as a query parameter', () => {
  it('leaves out password= and sslpassword= (any case, percent-encoded names too), keeps every other parameter', () => {
    const line = resumeCommandLine('c-5', {
      store:
        'postgres://fleet:Us3rinfo@db.example:5433/tpm?sslmode=require&password=S3cretPw&PASSWORD=S3cretPw2&pass%77ord=S3cretPw3&sslpassword=K3yPass&passfile=/home/a/.pgpass&application_name=tpm-doctor',
    });
    for (const secret of ['Us3rinfo', 'S3cretPw', 'K3yPass']) expect(line).not.toContain(secret);
    expect(line).toBe(
      "tpm-doctor fleet resume c-5 --store 'postgres://fleet@db.example:5433/tpm?sslmode=require&passfile=%2Fhome%2Fa%2F.pgpass&application_name=tpm-doctor'",
    );
  });

  it('prints the shape instead of a PostgreSQL URL that does not parse (it could hold a password)', () => {
    const line = resumeCommandLine('c-6', { store: 'postgres://fleet:S3cretPw@[db/tpm?password=S3cretPw' });
    expect(line).not.toContain('S3cretPw');
    expect(line).toBe(
      "tpm-doctor fleet resume c-6 --store 'postgres://user[:password]@host[:port]/database'",
    );
  });

  it('leaves the password out of a spec with white space around it (the store opens it trimmed)', () => {
    for (const store of [
      ' postgres://fleet:S3cretPw@db.example/tpm?password=S3cretPw2',
      '\tPOSTGRESQL://fleet:S3cretPw@db.example/tpm?password=S3cretPw2\n',
    ]) {
      const line = resumeCommandLine('c-7', { store });
      expect(line).not.toContain('S3cretPw');
      expect(line).toContain('db.example/tpm');
    }
  });
});

describe('resumeOptions', () => {
  it('keeps the connection options but the store (fleet status is given it), nothing else', () => {
    const values = {
      'graph-url': 'https://graph.microsoft.us',
      'client-id': '00000000-0000-0000-0000-000000000001',
      auth: 'browser',
      store: 'postgres://admin:hunter2@db/fleet',
      quiet: true,
      class: 'sync-stale',
    };
    expect(resumeOptions(values)).toEqual({
      'graph-url': 'https://graph.microsoft.us',
      'client-id': '00000000-0000-0000-0000-000000000001',
      auth: 'browser',
    });
    // Stored, then printed with fleet status's own --store: the same line as after Ctrl-C.
    expect(resumeCommandLine('c-4', { ...resumeOptions(values), store: values.store })).toBe(
      resumeCommandLine('c-4', values),
    );
  });
});

/** Values a shell would split, expand, run or end a string at, each once as a certificate path. */
const HOSTILE = [
  "C:\\Users\\O'Brien\\app.pem",
  '/tmp/$(touch /tmp/tpm-doctor-pwned)',
  '/tmp/`id`.pem',
  '/tmp/"quoted" and spaced.pem',
  '/tmp/line one\nline two.pem',
  '%USERPROFILE%\\app.pem',
  '$env:USERPROFILE\\app.pem',
  '@splat,array;next & | > x.pem',
  '/tmp/\u2018curly\u2019 \u201aquotes\u201b.pem',
  "''",
  '-- --%',
  '*.pem',
];

describe('resumeCommandLine quoted for the shell it is pasted into', () => {
  it('POSIX: sh reads every hostile value back as one unchanged word, and runs nothing', () => {
    for (const certificate of HOSTILE) {
      const line = resumeCommandLine('c-7', { 'tenant-id': 'contoso.onmicrosoft.com', certificate }, 'posix');
      // The line as pasted, with the program replaced by `set --`: sh splits and unquotes it, and
      // printf gives back each word NUL-terminated.
      const out = execFileSync(
        'sh',
        ['-c', `set -- ${line.replace(/^tpm-doctor /, '')}; printf '%s\\0' "$@"`],
        {
          encoding: 'utf8',
          cwd: '/',
        },
      );
      expect(out.split('\0').slice(0, -1), line).toEqual([
        'fleet',
        'resume',
        'c-7',
        '--tenant-id',
        'contoso.onmicrosoft.com',
        '--certificate',
        certificate,
      ]);
    }
  });

  it('PowerShell: every hostile value is one verbatim string (quotes doubled) the grammar reads whole, never a subexpression or variable', async () => {
    for (const certificate of HOSTILE) {
      const line = resumeCommandLine(
        'c-8',
        { 'tenant-id': 'contoso.onmicrosoft.com', certificate },
        'powershell',
      );
      expect(await powershellSyntaxProblems(line), line).toEqual([]);
      const root = await powershellTree(line);
      const commands = root.descendantsOfType('command');
      expect(commands, line).toHaveLength(1);
      const elements = commands[0]?.childForFieldName('command_elements');
      const words = (elements?.namedChildren ?? [])
        .filter((node): node is Node => node !== null && node.type !== 'command_argument_sep')
        .map(powershellArgument);
      expect(words, line).toEqual([
        'fleet',
        'resume',
        'c-8',
        '--tenant-id',
        'contoso.onmicrosoft.com',
        '--certificate',
        certificate,
      ]);
      for (const kind of ['sub_expression', 'variable', 'expandable_string_literal', 'script_block']) {
        expect(root.descendantsOfType(kind), `${kind} in ${line}`).toEqual([]);
      }
    }
  });

  it("PowerShell: plain words stay bare; a word with PowerShell's own operators is quoted even where POSIX leaves it", () => {
    expect(
      resumeCommandLine(
        'c-9',
        { 'graph-url': 'https://graph.microsoft.com', store: 'C:\\ProgramData\\fleet.sqlite' },
        'powershell',
      ),
    ).toBe(
      'tpm-doctor fleet resume c-9 --graph-url https://graph.microsoft.com --store C:\\ProgramData\\fleet.sqlite',
    );
    expect(resumeCommandLine('c-10', { 'tenant-id': 'a@b,c' }, 'powershell')).toBe(
      "tpm-doctor fleet resume c-10 --tenant-id 'a@b,c'",
    );
    expect(resumeCommandLine('c-10', { 'tenant-id': 'a@b,c' }, 'posix')).toBe(
      'tpm-doctor fleet resume c-10 --tenant-id a@b,c',
    );
  });
});

/**
 * What PowerShell passes for one parsed argument: a bare token as written, a verbatim string
 * without its quotes and with each doubled single quote (any of the four PowerShell reads as one)
 * read once. Anything else fails the test.
 */
function powershellArgument(node: Node): string {
  if (node.type === 'generic_token' || node.type === 'command_parameter') return node.text;
  const strings = node.descendantsOfType('verbatim_string_characters');
  if (strings.length !== 1 || strings[0]?.text !== node.text) {
    throw new Error(`not one verbatim string: ${node.type} ${JSON.stringify(node.text)}`);
  }
  return node.text.slice(1, -1).replace(/(['\u2018\u2019\u201a\u201b])\1/g, '$1');
}
