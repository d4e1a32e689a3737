/** The resume command printed for a stopped campaign: its connection options, never a secret. */
import { describe, expect, it } from 'vitest';
import { resumeCommandLine, resumeOptions } from '../../src/cli/fleet/resume-command-line.js';

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
