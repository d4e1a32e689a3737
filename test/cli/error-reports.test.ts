/**
 * The error codes of src/errors.ts against docs/exit-codes.md ("Error codes"): every code is
 * documented with the exit code and the printed form the CLI gives it, and nothing else is. Then
 * reportFailure (src/cli/report-failure.ts) on one error of each kind: the line it prints and the
 * exit code it returns, as the documentation says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportFailure } from '../../src/cli/report-failure.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { ERROR_REPORTS, type ErrorCode, type ErrorReport, TpmDoctorError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { CampaignError } from '../../src/fleet/campaign/campaign-error.js';
import { GraphError } from '../../src/fleet/graph/graph-error.js';
import { ResponseShapeError } from '../../src/fleet/graph/response-shape.js';
import { FleetStoreError } from '../../src/fleet/store/store-error.js';
import { TriageInputError } from '../../src/fleet/triage/triage.js';
import { JournalError } from '../../src/remedy/journal-error.js';
import { RunLockedError } from '../../src/remedy/run-lock.js';
import { TransportError } from '../../src/tpm/errors.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';
import { ROOT } from './cli-support.js';

const DOC = readFileSync(path.join(ROOT, 'docs', 'exit-codes.md'), 'utf8');

interface DocumentedCode {
  exit: number;
  printedAs: string;
}

/** The "Error codes" table: each code (a row may name several) -> its exit code and printed form. */
function documentedErrorCodes(): Map<string, DocumentedCode> {
  const lines = DOC.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| Error code | Exit |'));
  expect(start, 'docs/exit-codes.md has an "Error codes" table').toBeGreaterThan(0);
  const codes = new Map<string, DocumentedCode>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [names, exit, printedAs] = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    for (const name of names!.matchAll(/`([^`]+)`/g)) {
      codes.set(name[1]!, { exit: Number(/^\d+/.exec(exit!)?.[0]), printedAs: printedAs! });
    }
  }
  return codes;
}

const documented = documentedErrorCodes();
const exitCodes = new Set<number>(Object.values(EXIT));

describe('the error codes of src/errors.ts', () => {
  it('are all documented in docs/exit-codes.md, and nothing else is', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_REPORTS).sort());
  });

  it.each(Object.entries(ERROR_REPORTS) as [ErrorCode, ErrorReport][])(
    '%s: the documented exit code and printed form',
    (code, report) => {
      const doc = documented.get(code);
      expect(doc, `${code} is not in docs/exit-codes.md`).toBeDefined();
      expect(exitCodes.has(report.exit)).toBe(true);
      expect(doc!.exit).toBe(report.exit);
      expect(doc!.printedAs === 'reported as a bug').toBe(report.internal === true);
      if (report.prefix !== undefined) expect(doc!.printedAs).toBe(`\`${report.prefix}\``);
      expect(doc!.printedAs.includes('Continue with: tpm-doctor resume')).toBe(report.next === 'resume');
      expect(doc!.printedAs.includes('--help')).toBe(report.next === 'help');
      if (report.exitOfCause)
        expect(DOC).toContain(`| \`${code}\` | ${report.exit}, or the exit code of what stopped it`);
    },
  );

  it('are kebab-case, one style', () => {
    for (const code of Object.keys(ERROR_REPORTS)) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('reportFailure', () => {
  let stderr: string;
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const graphError = (code: string, status = 403) =>
    new GraphError({ status, code, message: 'no', requestId: 'req-1', method: 'GET', path: '/v1.0/x' });

  it('a usage error points at the command help', () => {
    expect(reportFailure(new UsageError('--bogus is not an option', 'status'))).toBe(EXIT.USAGE);
    expect(stderr).toBe('tpm-doctor: --bogus is not an option\nSee "tpm-doctor status --help".\n');
    stderr = '';
    expect(reportFailure(new UsageError('unknown command "x"'))).toBe(EXIT.USAGE);
    expect(stderr).toBe('tpm-doctor: unknown command "x"\nSee "tpm-doctor --help".\n');
  });

  it('a TPM that does not answer: exit 3 and what failed', () => {
    expect(reportFailure(new TransportError('connection refused'))).toBe(EXIT.TPM_UNREACHABLE);
    expect(stderr).toBe('tpm-doctor: no TPM answered: connection refused\n');
  });

  it("a TPM error no command handled: exit 1, the TPM's words, no stack", () => {
    const error = new TpmError(0x101, { command: 'TPM2_Clear', commandCode: 0x126, authHandles: [] });
    expect(reportFailure(error)).toBe(EXIT.INTERNAL);
    expect(stderr).toBe(`tpm-doctor: ${error.message}\n`);
    expect(stderr).toContain('TPM_RC_FAILURE');
  });

  it('a run stopped where resume continues: exit 12 and the next command', () => {
    const error = new TpmDoctorError('tpm-unreachable', 'The TPM stopped answering.');
    expect(reportFailure(error)).toBe(EXIT.RUN_INTERRUPTED);
    expect(stderr).toBe('tpm-doctor: The TPM stopped answering.\nContinue with: tpm-doctor resume\n');
  });

  it('a locked run is a usage error without the help line', () => {
    expect(reportFailure(new RunLockedError('run r1 is in use by process 42', 42))).toBe(EXIT.USAGE);
    expect(stderr).toBe('tpm-doctor: run r1 is in use by process 42\n');
  });

  it('a damaged journal is 4, a journal that could not be written 12; both one plain line', () => {
    expect(reportFailure(new JournalError('journal-damaged', 'r1.jsonl: line 3: the chain breaks'))).toBe(
      EXIT.PARTIAL,
    );
    expect(stderr).toBe('tpm-doctor: r1.jsonl: line 3: the chain breaks\n');
    stderr = '';
    const write = new JournalError('journal-write', 'r1.jsonl: writing record 4 (note) failed: ENOSPC');
    expect(reportFailure(write)).toBe(EXIT.RUN_INTERRUPTED);
    expect(stderr).toBe('tpm-doctor: r1.jsonl: writing record 4 (note) failed: ENOSPC\n');
    stderr = '';
    // A lock that keeps changing hands is as good as held: the run-locked line, exit 2.
    expect(reportFailure(new RunLockedError('r1.jsonl: other processes keep taking it', null))).toBe(
      EXIT.USAGE,
    );
    expect(stderr).toBe('tpm-doctor: r1.jsonl: other processes keep taking it\n');
  });

  it('Graph: a refused call is 14 with its origin; no token is 13', () => {
    expect(reportFailure(graphError('Forbidden'))).toBe(EXIT.GRAPH_FAILED);
    expect(stderr).toBe(
      'tpm-doctor: Microsoft Graph: GET /v1.0/x: HTTP 403 Forbidden: no, request-id req-1\n',
    );
    stderr = '';
    expect(reportFailure(graphError('TokenUnavailable', 0))).toBe(EXIT.GRAPH_AUTH);
    expect(stderr).toBe('tpm-doctor: GET /v1.0/x: no response TokenUnavailable: no, request-id req-1\n');
  });

  it('the store: exit 15, prefixed', () => {
    expect(reportFailure(new FleetStoreError('cannot open x.sqlite'))).toBe(EXIT.STORE_FAILED);
    expect(stderr).toBe('tpm-doctor: store: cannot open x.sqlite\n');
  });

  it('a campaign exits as what stopped it, or 2 for a wrong selection', () => {
    const stopped = (cause?: unknown) => new CampaignError('campaign c1 stopped', { cause });
    expect(reportFailure(stopped(new FleetStoreError('gone')))).toBe(EXIT.STORE_FAILED);
    expect(reportFailure(stopped(graphError('Forbidden')))).toBe(EXIT.GRAPH_FAILED);
    expect(reportFailure(stopped(graphError('TokenUnavailable', 0)))).toBe(EXIT.GRAPH_AUTH);
    expect(reportFailure(stopped(new Error('not a tpm-doctor error')))).toBe(EXIT.USAGE);
    expect(reportFailure(stopped())).toBe(EXIT.USAGE);
    expect(stderr).toBe('tpm-doctor: campaign c1 stopped\n'.repeat(5));
  });

  it('triage input Graph cannot give is 14, or what stopped it', () => {
    expect(reportFailure(new TriageInputError('a device without an id'))).toBe(EXIT.GRAPH_FAILED);
    expect(stderr).toBe('tpm-doctor: a device without an id\n');
  });

  it('an error that should not escape, and any other exception: exit 1 with the stack, and who to tell', () => {
    const BUG_REPORT_LINE = `Report it to your tpm-doctor maintainer with this output (Node ${process.version}, ${process.platform} ${process.arch}).`;
    const shape = new ResponseShapeError('an object', 3);
    expect(reportFailure(shape)).toBe(EXIT.INTERNAL);
    expect(stderr).toBe(
      `tpm-doctor: internal error (please report it with this text):\n${shape.stack}\n${BUG_REPORT_LINE}\n`,
    );
    stderr = '';
    const bug = new TypeError('x is undefined');
    expect(reportFailure(bug)).toBe(EXIT.INTERNAL);
    expect(stderr).toBe(
      `tpm-doctor: internal error (please report it with this text):\n${bug.stack}\n${BUG_REPORT_LINE}\n`,
    );
    stderr = '';
    expect(reportFailure('a string')).toBe(EXIT.INTERNAL);
    expect(stderr).toBe(
      `tpm-doctor: internal error (please report it with this text):\na string\n${BUG_REPORT_LINE}\n`,
    );
  });
});
