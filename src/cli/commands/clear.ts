import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ClearRunResult } from '../../remedy/clear/clear-run.js';
import { readJournal, runState } from '../../remedy/journal.js';
import type { CheckId, ClearMethod, ClearPurpose, GateOptions } from '../../remedy/preflight/gate.js';
import { runsDir, stateDir } from '../../remedy/state-dir.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { Tpm } from '../../tpm/tpm.js';
import { openTransport, TPM_URI_FORMS } from '../../tpm/transport/open-transport.js';
import { parseVerbArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { lockoutAuth } from '../lockout-auth.js';
import { renderGate } from '../render/gate-text.js';
import { parseTimeout } from '../timeout.js';
import { resolveTpmTarget } from '../tpm-target.js';
import { UsageError } from '../usage-error.js';

export const HELP = `tpm-doctor clear: clear the TPM, only when it is safe and the right fix, and prove it happened.

Usage: tpm-doctor clear [--tpm URI] [--evidence PATH] [--method lockout|platform|ppi]
                        [--purpose repair|decommission] [--approved-by NAME --ticket ID]
                        [--escrowed ID,...] [--backup-confirmed-by WHERE] [--acknowledge CHECK,...]
                        [--lockout-auth-file PATH] [--dry-run] [--yes] [--json] [--state-dir DIR]

A TPM clear deletes every key in the storage and endorsement hierarchies: BitLocker's TPM
protector, Windows Hello, TPM-bound certificates, the Entra ID device key. tpm-doctor runs the
diagnosis, then a preflight gate in which every precaution is a check that passes, fails or is
unknown, with its evidence:
  reason       for --purpose repair, the diagnosis must reach "clear" on the remedy ladder
               (otherwise it shows the safer step); decommission (handover, sale, reinstall) skips it
  backup       every TPM-protected BitLocker volume has a recovery password, escrowed
               (--escrowed IDS, or --backup-confirmed-by WHERE), and BitLocker is suspended
  rights       administrator; lockout or platform authorisation available, or PPI with a user present
  approval     an MDM-managed device needs --approved-by NAME --ticket ID (kept in the journal)
  blockers     disableClear, a dictionary-attack lockout, vulnerable firmware not yet updated
  inventory    what will be lost, listed and recorded before you confirm
Any FAIL refuses; an UNKNOWN refuses unless you --acknowledge that check. Nothing on the TPM
changes before the gate passes. Then, after a typed confirmation (or --yes), it fingerprints the
TPM, sends TPM2_Clear, fingerprints again and proves the clear: the storage root key's Name
changed, owner objects and owner NV indices are gone, auth values reset, the EK and its
certificates unchanged. Every step is journaled before and after it runs (fsync'd), so a crash
or power cut resumes with "tpm-doctor resume" and never clears twice. A receipt, hash-chained to
the journal, is written for handover records.

Options:
  --tpm URI                  The TPM (default: this machine's):
                               ${TPM_URI_FORMS.join('\n                               ')}
                               lab:[SCENARIO,...]   a throwaway software TPM (platform method)
  --evidence PATH            Windows evidence bundle to gate on (live collection on Windows).
  --method M                 lockout (default on Linux; the lockout value from
                             --lockout-auth-file or TPM_DOCTOR_LOCKOUT_AUTH, never a flag),
                             platform (lab and simulator TPMs, the default for them: on a real PC
                             the firmware keeps platform auth), or
                             ppi (a firmware prompt at the next reboot; Windows default).
  --purpose P                repair (default) or decommission.
  --approved-by NAME, --ticket ID   the approval an MDM-managed device needs.
  --escrowed IDS             recovery-password protector IDs known to be escrowed (comma-separated).
  --backup-confirmed-by WHERE   you checked the recovery keys are backed up, and where.
  --acknowledge CHECKS       accept these UNKNOWN checks (comma-separated check IDs).
  --dry-run                  Show the diagnosis and the gate, change nothing.
  --yes                      Confirm without typing (automation). Required without a terminal.
  --json                     Machine-readable output.
  --state-dir DIR            Where journals and receipts go (default /var/lib/tpm-doctor).
  --timeout SECONDS          TPM command time limit (default 120).

Exit status: 0 cleared and proven (or --dry-run with the gate passed); 10 refused (gate or
confirmation; the TPM untouched); 11 the TPM refused the clear or the proof failed; 12 stopped
where "tpm-doctor resume" continues; 2 wrong command line.

Examples:
  tpm-doctor clear --dry-run
  tpm-doctor clear --tpm lab:stale-objects --purpose decommission --yes
  tpm-doctor clear --approved-by "A. Admin" --ticket INC-4711 --escrowed 8a5d13d6-... --method ppi
`;

const METHODS: readonly ClearMethod[] = ['lockout', 'platform', 'ppi'];
const PURPOSES: readonly ClearPurpose[] = ['repair', 'decommission'];

export async function run(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs('clear', argv, {
    tpm: { type: 'string' },
    evidence: { type: 'string' },
    method: { type: 'string' },
    purpose: { type: 'string' },
    'approved-by': { type: 'string' },
    ticket: { type: 'string' },
    escrowed: { type: 'string' },
    'backup-confirmed-by': { type: 'string' },
    acknowledge: { type: 'string' },
    'lockout-auth-file': { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
    'state-dir': { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  const purpose = oneOf(values.purpose ?? 'repair', PURPOSES, '--purpose');
  const timeoutMs = parseTimeout(values.timeout, 'clear');
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((s) =>
        s
          .trim()
          .toLowerCase()
          .replace(/^\{|\}$/g, ''),
      )
      .filter(Boolean);
  const acknowledged = list(values.acknowledge) as CheckId[];
  if ((values['approved-by'] === undefined) !== (values.ticket === undefined)) {
    throw new UsageError(
      '--approved-by and --ticket go together: who approved, and the ticket that records it',
      'clear',
    );
  }

  let windows: WindowsEvidence | null = null;
  if (values.evidence !== undefined) {
    const { readEvidenceBundle } = await import('../../probe/windows/evidence-bundle.js');
    windows = await readEvidenceBundle(values.evidence);
  } else if (process.platform === 'win32' && values.tpm === undefined) {
    const { collectWindowsEvidence } = await import('../../probe/windows/collect.js');
    windows = await collectWindowsEvidence();
  }

  const target = await resolveTpmTarget(values.tpm);
  // A lab run's journal is a demo: it goes to a temporary folder unless --state-dir says otherwise,
  // never among the machine's real runs.
  const journalDir = runsDir(
    values['state-dir'] !== undefined || !target.lab
      ? stateDir(values['state-dir'])
      : path.join(os.tmpdir(), 'tpm-doctor-lab-state'),
  );
  try {
    const method = oneOf(
      values.method ??
        (target.lab || /^(swtpm|mssim):\/\//.test(target.uri)
          ? 'platform'
          : process.platform === 'win32'
            ? 'ppi'
            : 'lockout'),
      METHODS,
      '--method',
    );
    const { takeSnapshot } = await import('../../probe/take-snapshot.js');
    // A simulator (swtpm://, mssim://) is a lab TPM for the gate: no firmware holds its platform auth.
    const simulator = target.lab !== null || /^(swtpm|mssim):\/\//.test(target.uri);
    const snapshot = await takeSnapshot({
      tpm: { uri: target.uri, lab: simulator, ...(timeoutMs === undefined ? {} : { timeoutMs }) },
      windows,
    });
    const { diagnose } = await import('../../diagnose/diagnose.js');
    const diagnosis = diagnose(snapshot);
    const { isElevated } = await import('../../remedy/platform/elevation.js');
    const elevated = await isElevated().catch(() => undefined);
    const options: GateOptions = {
      method,
      purpose,
      acknowledged,
      ...(elevated === undefined ? {} : { elevated }),
      ...(values['approved-by'] === undefined ? {} : { approvedBy: values['approved-by'] }),
      ...(values.ticket === undefined ? {} : { ticket: values.ticket }),
      ...(values.escrowed === undefined ? {} : { escrowedProtectorIds: list(values.escrowed) }),
      ...(values['backup-confirmed-by'] === undefined
        ? {}
        : { backupConfirmedBy: values['backup-confirmed-by'] }),
    };
    const { runPreflight } = await import('../../remedy/preflight/run-preflight.js');
    const gate = runPreflight(snapshot, diagnosis, options);
    const report = (run: ClearRunResult | null, extra: Record<string, unknown> = {}) => {
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ schema: 'tpm-doctor/clear/v1', tpm: target.uri, lab: target.lab, verdict: diagnosis.verdict, gate, run, ...extra }, null, 2)}\n`,
        );
      }
    };
    if (!values.json) {
      process.stdout.write(
        `Clear of ${snapshot.tpm?.tpm.uri ?? target.uri}${target.lab ? `   [LAB: throwaway software TPM, scenario ${target.lab.join(', ')}]` : ''}\n` +
          `Diagnosis: ${diagnosis.verdict.status}, next step ${diagnosis.verdict.nextStep}` +
          `${diagnosis.verdict.clearRecommended ? ' (a clear is the fix)' : ''}\n\n${renderGate(gate, acknowledged)}`,
      );
    }
    const unfinished = unfinishedRuns(journalDir);
    if (unfinished.length > 0 && !values['dry-run']) {
      throw new UsageError(
        `run ${unfinished.join(', ')} is not finished: continue it with "tpm-doctor resume" or end it with ` +
          `"tpm-doctor abandon RUN-ID" before starting another clear`,
        'clear',
      );
    }
    const auth = lockoutAuth(values['lockout-auth-file'], 'clear');
    if (method === 'lockout' && auth !== '' && snapshot.tpm?.permanent?.flags.lockoutAuthSet === false) {
      // The TPM has no lockout value: any non-empty one is wrong, and one wrong lockout
      // authorisation blocks lockout for TPM_PT_LOCKOUT_RECOVERY seconds (Part 1 §19.8.6).
      throw new UsageError(
        'this TPM has no lockout authorization value set (lockoutAuthSet is clear): do not pass one; a wrong value would block lockout authorisation for the recovery time',
        'clear',
      );
    }
    if (!gate.passed || values['dry-run']) {
      report(null, { dryRun: values['dry-run'] ?? false });
      return gate.passed ? EXIT.OK : EXIT.CLEAR_REFUSED;
    }
    if (method === 'ppi' && target.lab) {
      throw new UsageError(
        'a lab TPM has no firmware to show a physical-presence prompt: use --method platform',
        'clear',
      );
    }
    if (!values.yes && !(await confirm())) {
      if (!values.json) process.stdout.write('Not confirmed: nothing was changed.\n');
      report(null, { confirmed: false });
      return EXIT.CLEAR_REFUSED;
    }
    const tpm = new Tpm(await openTransport(target.uri, timeoutMs === undefined ? {} : { timeoutMs }));
    try {
      const common = {
        tpm,
        // Recorded in the run, so that resume goes back to the same TPM (and checks its EK).
        tpmUri: target.uri,
        journalDir,
        gate,
        purpose,
        // On Windows the run stays open after the proof: the post-clear runbook (reboot,
        // re-provisioning, BitLocker, Entra, sync, Windows Hello) continues in the same journal.
        keepOpen: process.platform === 'win32',
        ...(values['approved-by'] === undefined ? {} : { approvedBy: values['approved-by'] }),
        ...(values.ticket === undefined ? {} : { ticket: values.ticket }),
      };
      let result: ClearRunResult;
      if (method === 'ppi') {
        const { startPpiRun } = await import('../../remedy/clear/ppi-run.js');
        const { defaultPpiTarget } = await import('../../remedy/clear/clear-run.js');
        result = await startPpiRun({
          ...common,
          ppi: defaultPpiTarget(),
          // The start-up task runs `node <this CLI> resume --run ID --journal PATH` at the next boot.
          task: { nodePath: process.execPath, cliPath: path.resolve(process.argv[1] ?? 'tpm-doctor') },
        });
      } else {
        const { startClearRun } = await import('../../remedy/clear/clear-run.js');
        result = await startClearRun({
          ...common,
          method,
          lockoutAuth: auth,
        });
      }
      const code = await afterRun(result, { json: values.json ?? false, report });
      return code;
    } finally {
      await tpm.close();
    }
  } finally {
    await target.release();
  }
}

/**
 * What follows a run's TPM part: 'cleared' (kept open on Windows) goes on to the post-clear
 * runbook; 'waiting' (a PPI clear waiting for the reboot and the firmware prompt) and a runbook
 * that waits tell the person what to do, and `tpm-doctor resume` (run by the start-up task at
 * boot) continues.
 */
export async function afterRun(
  result: ClearRunResult,
  options: {
    json: boolean;
    report?: (run: ClearRunResult, extra?: Record<string, unknown>) => void;
    confirmed?: string[];
  },
): Promise<number> {
  let run = result;
  let runbook: unknown = null;
  let instruction = result.instruction;
  if (result.status === 'cleared') {
    const { continueAfterClear } = await import('../../remedy/clear/complete-run.js');
    const windows =
      process.platform === 'win32'
        ? {
            runner: (await import('../../system/powershell.js')).runPowerShell,
            ...(options.confirmed ? { confirmed: options.confirmed } : {}),
          }
        : undefined;
    // On Windows, wait in this process for the runbook (up to a day for the Intune sync, checked
    // every minute, with progress), keeping the PC awake; a reboot or Ctrl-C leaves it to resume.
    const { keepAwake } = await import('../../remedy/platform/keep-awake.js');
    const awake = windows ? keepAwake() : { release: () => {} };
    let next: Awaited<ReturnType<typeof continueAfterClear>>;
    try {
      next = await continueAfterClear({
        journal: result.journalPath,
        ...(windows
          ? {
              windows: {
                ...windows,
                advance: {
                  poll: { intervalMs: 60_000, forMs: 24 * 3600_000 },
                  onProgress: (p) => {
                    if (!options.json) {
                      process.stderr.write(
                        `[${p.index}/${p.total}] ${p.title}: ${p.phase}${p.waitedMs > 0 ? ` (${Math.round(p.waitedMs / 60_000)} min)` : ''} ${p.message}\n`,
                      );
                    }
                  },
                },
              },
            }
          : {}),
      });
    } finally {
      awake.release();
    }
    run = next.run;
    runbook = next.runbook;
    instruction = next.instruction ?? instruction;
    if (next.status !== 'complete' && !options.json) {
      process.stdout.write(`\nRunbook: ${next.status}${next.at ? ` at ${next.at}` : ''}: ${next.message}\n`);
    }
  }
  if (options.json) {
    if (options.report) options.report(run, { runbook, instruction: instruction ?? null });
    else {
      const out = { schema: 'tpm-doctor/resume/v1', run, runbook, instruction: instruction ?? null };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    }
  } else {
    process.stdout.write(renderRun(run));
    if (instruction)
      process.stdout.write(
        `Next: ${instruction}\nThen: tpm-doctor resume (the start-up task runs it at boot)\n`,
      );
  }
  if (run.status === 'finished') return EXIT.OK;
  if (run.status === 'failed') return EXIT.CLEAR_FAILED;
  return EXIT.RUN_INTERRUPTED;
}

/** Runs in `journalDir` that neither finished nor were abandoned. */
function unfinishedRuns(journalDir: string): string[] {
  if (!existsSync(journalDir)) return [];
  return readdirSync(journalDir)
    .filter((f) => f.endsWith('.jsonl'))
    .filter((f) => runState(readJournal(path.join(journalDir, f)).records).status === 'running')
    .map((f) => f.slice(0, -'.jsonl'.length));
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`, 'clear');
  }
  return value as T;
}

/** Typed confirmation on a terminal; without one, --yes is required (no silent destruction). */
export async function confirm(): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no terminal to confirm on: pass --yes to clear without a typed confirmation',
      'clear',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) =>
      rl.question('\nThis deletes the keys listed above. Type CLEAR to continue: ', resolve),
    );
    return answer.trim() === 'CLEAR';
  } finally {
    rl.close();
  }
}

export function renderRun(result: ClearRunResult): string {
  const out = ['', `Run ${result.runId}: ${result.status.toUpperCase()}`, `  journal  ${result.journalPath}`];
  if (result.receiptPath) out.push(`  receipt  ${result.receiptPath}`);
  if (result.failure) out.push(`  ${result.failure.step}: ${result.failure.message}`);
  if (result.proof) {
    out.push('', `Proof: ${result.proof.proven ? 'the clear happened and did what it must' : 'NOT PROVEN'}`);
    for (const c of result.proof.checks)
      out.push(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.id.padEnd(30)} ${c.actual}`);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}
