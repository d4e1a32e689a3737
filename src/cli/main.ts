import { EXIT } from '../exit-codes.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { closest, formatHelp } from './help.js';
import { quietOnClosedPipe } from './quiet-pipe.js';
import { reportFailureReadably } from './report-failure.js';
import { takeLanguage } from './ui-language.js';
import type { Verb } from './verb.js';
import { VERBS } from './verbs.js';

const VERSION = '0.1.0';

/**
 * The verbs, and `completion`, which reads every verb's option table (so it is not in VERBS, which
 * it imports).
 */
const COMMANDS: Record<string, Verb> = {
  ...VERBS,
  completion: {
    summary: 'Print a shell completion script: tpm-doctor completion bash|zsh|powershell.',
    load: () => import('./commands/completion.js'),
  },
};

const HELP = `tpm-doctor: find, fix and prove the TPM problems that break Intune sync and compliance.

Usage: tpm-doctor <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, v]) => `  ${name.padEnd(11)} ${v.summary}`)
  .join('\n')}

Common options:
  --tpm URI     Which TPM: device:[PATH] (Linux, default /dev/tpmrm0), tbs: (Windows),
                swtpm://HOST:PORT, mssim://HOST:PORT, a tpm2-tools TCTI string
                (swtpm:host=H,port=P), or lab: for a throwaway software TPM.
                Also read from TPM_DOCTOR_TPM, else from tpm2-tools' TPM2TOOLS_TCTI.
  --json        Machine-readable output (schemas in docs/).
  --lang ja|en  Language of the human output (default: the locale, LANG/LC_ALL or
                the Windows display language). JSON and CSV stay English.
  -h, --help    Help for a command: tpm-doctor status --help
  --version     Print the version.

Try it without a TPM:  tpm-doctor diagnose --tpm lab:stale-objects,lockout
Shell completion:      tpm-doctor completion bash|zsh|powershell
Exit codes: docs/exit-codes.md`;

async function main(args: string[]): Promise<number> {
  // A test hook, documented in docs/exit-codes.md: tpm-doctor has no genuine internal error a test
  // can provoke, and test/cli/internal-error.test.ts checks how the built CLI reports one.
  if (process.env.TPM_DOCTOR_TEST_INTERNAL_ERROR === '1') {
    throw new Error('TPM_DOCTOR_TEST_INTERNAL_ERROR=1: an internal error, as a test asked for');
  }
  const { language, rest: argv } = takeLanguage(args);
  const [verb, ...rest] = argv;
  // `tpm-doctor help status` is `tpm-doctor status --help` (and `help fleet clear` the fleet's).
  const helpFor = verb === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
  if (helpFor) return (await helpFor.load()).run([...rest.slice(1), '--help'], language);
  // `help nothing` is as wrong as `nothing`: exit 2 with the same message, not the general help.
  if (verb === 'help' && rest[0] !== undefined) return unknownCommand(rest[0]);
  if (verb === undefined || verb === '-h' || verb === '--help' || verb === 'help') {
    process.stdout.write(`${formatHelp(HELP)}\n`);
    return verb === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (verb === '--version' || verb === '-V') {
    process.stdout.write(`tpm-doctor ${VERSION}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS[verb];
  if (!command) return unknownCommand(verb);
  return (await command.load()).run(rest, language);
}

function unknownCommand(verb: string): number {
  const guess = closest(verb, Object.keys(COMMANDS));
  process.stderr.write(
    `tpm-doctor: unknown command "${terminalSafe(verb)}"${guess ? `: did you mean "${guess}"?` : '.'} Run "tpm-doctor --help" for the list.\n`,
  );
  return EXIT.USAGE;
}

quietOnClosedPipe(process.stdout);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // For `npm run bench`: this process's own CPU time and peak memory (bench/fleet.ts reads it).
    if (process.env.TPM_DOCTOR_BENCH_RUSAGE === '1') {
      const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
      process.stderr.write(`tpm-doctor-rusage ${JSON.stringify({ userCPUTime, systemCPUTime, maxRSS })}\n`);
    }
  },
  (error: unknown) =>
    reportFailureReadably(error).then((code) => {
      process.exitCode = code;
    }),
);
