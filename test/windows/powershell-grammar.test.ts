/**
 * Every PowerShell text tpm-doctor ships or generates, read by a real PowerShell grammar
 * (tree-sitter-powershell, test/support/powershell-grammar.ts): a syntax error in any of them
 * fails here, not on a device. Each is also checked to be ASCII: Windows PowerShell 5.1 reads a
 * script file without a BOM in the ANSI code page ("about_Character_Encoding",
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding),
 * so a non-ASCII byte would be read as some other character, one that may even be a quote.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { COMMAND as COMPLETION } from '../../src/cli/commands/completion.js';
import { completionModel } from '../../src/cli/completion/completion-model.js';
import { renderPowerShellCompletion } from '../../src/cli/completion/powershell-completion.js';
import {
  type ClearApproval,
  clearRemediationScript,
  clearScriptPackage,
} from '../../src/fleet/campaign/clear-script.js';
import { evidenceScriptPackage } from '../../src/fleet/campaign/evidence-script.js';
import { renderPowerShellReceiptReport } from '../../src/fleet/campaign/receipt-report.js';
import { powershellScriptFor } from '../../src/probe/windows/collect.js';
import { EVIDENCE_SOURCES } from '../../src/probe/windows/sources.js';
import { machineStateDirScript } from '../../src/remedy/machine-state-dir.js';
import { WINDOWS_ELEVATION_SCRIPT } from '../../src/remedy/platform/elevation.js';
import { KEEP_AWAKE_SCRIPT } from '../../src/remedy/platform/keep-awake.js';
import {
  readWindowsPpiResponse,
  windowsClearScript,
  windowsPendingScript,
} from '../../src/remedy/platform/ppi-windows.js';
import {
  actionScript,
  backupToAadAction,
  resumeBitLockerAction,
  triggerMdmSyncAction,
} from '../../src/remedy/runbook/windows.js';
import { powershellArguments } from '../../src/system/powershell.js';
import { replayScripts } from '../remedy/platform/recording-runner.js';
import { powershellSyntaxProblems, powershellTree } from '../support/powershell-grammar.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** Approvals as an admin may type them: apostrophes, accents, Japanese, and text that looks like code. */
const APPROVALS: readonly ClearApproval[] = [
  { approvedBy: 'José Ñuñez', ticket: 'CHG-1' },
  { approvedBy: "O'Neil", ticket: "CHG-2 (O'Brien's)" },
  { approvedBy: '山田 太郎', ticket: 'チケット-3' },
  { approvedBy: "x' + (Stop-Computer) + 'y", ticket: "'@(Remove-Item C:/ -Recurse)'" },
  { approvedBy: "a'' --ticket ''b", ticket: "# ' exit 0" },
];

const ESCROW = {
  campaignId: 'c-20261207-120000-abc123',
  verifiedAt: '2026-12-07T12:00:00.000Z',
  devices: [
    {
      azureAdDeviceId: '11111111-2222-4333-8444-555555555555',
      protectorIds: ['dfa26333-1c2b-402c-9e4d-a8c40af3b1e7'],
    },
  ],
};

const GUID = '{DFA26333-1C2B-402C-9E4D-A8C40AF3B1E7}';

/** The Win32_Tpm response script is not exported: it is taken from the call that runs it. */
async function responseScript(): Promise<string> {
  const replay = replayScripts({ stdout: '' });
  await readWindowsPpiResponse(replay.run).catch(() => undefined);
  expect(replay.scripts).toHaveLength(1);
  return replay.scripts[0]!;
}

/** The script behind `-EncodedCommand` in an argument vector. */
function decodeEncodedCommand(args: readonly string[]): string {
  const at = args.indexOf('-EncodedCommand');
  expect(at).toBeGreaterThan(-1);
  return Buffer.from(args[at + 1]!, 'base64').toString('utf16le');
}

async function everyScript(): Promise<[string, string][]> {
  const evidence = read('scripts/collect-evidence.ps1');
  const packaging = readdirSync(new URL('packaging/windows/', ROOT)).filter((f) => f.endsWith('.ps1'));
  const fromBase64 = (b64: string | null | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
  const clearPackage = clearScriptPackage(evidence, APPROVALS[0]!, ESCROW);
  return [
    ['scripts/collect-evidence.ps1', evidence],
    ...packaging.map((f): [string, string] => [`packaging/windows/${f}`, read(join('packaging/windows', f))]),
    ...EVIDENCE_SOURCES.map((s): [string, string] => [`evidence source ${s.name}`, powershellScriptFor(s)]),
    ...APPROVALS.flatMap((a, i): [string, string][] => [
      [`clear remediation, approval ${i}, no escrow`, clearRemediationScript(a)],
      [`clear remediation, approval ${i}, with escrow`, clearRemediationScript(a, ESCROW)],
    ]),
    ['clear receipt summary (its block alone)', renderPowerShellReceiptReport()],
    ['clear package detection (uploaded)', fromBase64(clearPackage.detectionScriptContent)],
    ['clear package remediation (uploaded)', fromBase64(clearPackage.remediationScriptContent)],
    [
      'evidence package detection (uploaded)',
      fromBase64(evidenceScriptPackage(evidence).detectionScriptContent),
    ],
    ['keep-awake (as encoded)', decodeEncodedCommand(powershellArguments(KEEP_AWAKE_SCRIPT))],
    ['elevation check', WINDOWS_ELEVATION_SCRIPT],
    ['Win32_Tpm clear request', windowsClearScript()],
    ['Win32_Tpm pending request', windowsPendingScript()],
    ['Win32_Tpm response', await responseScript()],
    ['runbook resume-bitlocker', actionScript(resumeBitLockerAction('c:'))],
    ['runbook backup-to-aad', actionScript(backupToAadAction('C:', GUID))],
    ['runbook trigger-mdm-sync', actionScript(triggerMdmSyncAction(GUID))],
    ['machine state folder', machineStateDirScript('C:\\ProgramData\\tpm-doctor')],
    ["machine state folder, a path with ' and Japanese", machineStateDirScript("D:\\O'Neil\\状態")],
    ['tpm-doctor completion powershell', renderPowerShellCompletion(await completionModel(COMPLETION))],
  ];
}

/**
 * The files of src/ that make PowerShell text: each must have its scripts in everyScript() above,
 * so a new script cannot reach a device without being parsed here.
 */
const SCRIPT_MAKERS = [
  'src/cli/completion/powershell-completion.ts',
  'src/fleet/campaign/clear-script.ts',
  'src/fleet/campaign/evidence-script.ts',
  'src/fleet/campaign/receipt-report.ts',
  'src/probe/windows/collect.ts',
  'src/probe/windows/sources.ts',
  'src/remedy/platform/elevation.ts',
  'src/remedy/platform/keep-awake.ts',
  'src/remedy/machine-state-dir.ts',
  'src/remedy/platform/ppi-windows.ts',
  'src/remedy/runbook/windows.ts',
  'src/system/powershell-envelope.ts',
  'src/system/powershell-prelude.ts',
  'src/system/powershell.ts',
];

/**
 * A file makes PowerShell when it builds an envelope, encodes a command, holds a *_SCRIPT, uploads
 * script content or renders a block of scripts/collect-evidence.ps1.
 */
const MAKES_POWERSHELL =
  /envelopeScript\(|powershellArguments\(|-EncodedCommand|_SCRIPT\s*=|ScriptContent:|POWERSHELL_PRELUDE\s*=|psString\(|renderPowerShell\w*\(/;

function sourceFiles(dir: URL, prefix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`)
      : e.name.endsWith('.ts')
        ? [`${prefix}${e.name}`]
        : [],
  );
}

/** Files the pattern finds that make no PowerShell of their own. */
const NOT_MAKERS: Record<string, string> = {
  'src/lab/tenant/device-simulation.ts':
    'the lab tenant stores what was uploaded (a placeholder for its own devices)',
  'src/lab/tenant/graph-routes.ts': 'the lab tenant stores the uploaded script content',
  'src/lab/tenant/graph-views.ts': 'the lab tenant lists scripts without content',
  'src/lab/tenant/script-catalog.ts': 'the lab tenant recognises an uploaded clear script',
  'src/system/powershell-clixml.ts':
    'reads what PowerShell wrote to stderr; names -EncodedCommand in a comment',
};

describe('PowerShell grammar', () => {
  it('finds the syntax errors it is here for (a broken script fails)', async () => {
    const clear = clearRemediationScript(APPROVALS[0]!, ESCROW);
    const broken = [
      clear.replace('} finally {', '} finally '), // an unclosed block
      clear.replace('--purpose repair', "--purpose 'repair"), // an unterminated string
      `${clear}\nif ($code -eq) {`, // an operator without its operand, a missing brace
      "Write-Output @'\nnot closed\n", // a here-string never closed
      '$a = @{ x = 1; y = ', // an unfinished hashtable
    ];
    for (const script of broken) {
      const problems = await powershellSyntaxProblems(script);
      expect(problems.length, script.slice(-80)).toBeGreaterThan(0);
      expect(problems.some((p) => p.kind === 'error' || p.kind === 'missing')).toBe(true);
    }
    const tree = await powershellTree("if ($true) { 'x'");
    expect(tree.hasError).toBe(true);
  });

  it('reads every script tpm-doctor ships or generates without an error, and each is ASCII', async () => {
    const scripts = await everyScript();
    expect(scripts.length).toBeGreaterThan(25);
    for (const [name, script] of scripts) {
      expect(script.trim(), name).not.toBe('');
      expect(await powershellSyntaxProblems(script), name).toEqual([]);
      const nonAscii = [...script].find((ch) => ch.codePointAt(0)! > 0x7e && ch !== '\x7f');
      expect(nonAscii, `${name}: non-ASCII character`).toBeUndefined();
    }
  });

  it('reads each approval back as one argument holding exactly the text approved', async () => {
    for (const approval of APPROVALS) {
      for (const script of [clearRemediationScript(approval), clearRemediationScript(approval, ESCROW)]) {
        const tree = await powershellTree(script);
        expect(argumentValue(tree, '--approved-by')).toBe(approval.approvedBy);
        expect(argumentValue(tree, '--ticket')).toBe(approval.ticket);
      }
    }
  });

  it('covers every file of src/ that makes PowerShell', () => {
    const makers = sourceFiles(new URL('src/', ROOT), 'src/').filter((f) => MAKES_POWERSHELL.test(read(f)));
    expect(makers.filter((f) => !(f in NOT_MAKERS)).sort()).toEqual([...SCRIPT_MAKERS].sort());
    for (const f of Object.keys(NOT_MAKERS)) expect(makers, f).toContain(f);
  });
});

/**
 * The value PowerShell passes after `flag` in the one command that has it: a single-quoted string
 * ('' is an apostrophe, about_Quoting_Rules) or `(-join [char[]](0x.., ..))`, the form psString
 * gives non-ASCII text. Anything else (two arguments, an expression, a variable) fails the test.
 */
function argumentValue(root: Node, flag: string): string {
  const commands = root.descendantsOfType('command').filter((c) => c !== null);
  const withFlag = commands.filter((c) =>
    c.descendantsOfType('command_parameter').some((p) => p?.text === flag && p.parent?.parent?.id === c.id),
  );
  expect(withFlag, flag).toHaveLength(1);
  const elements = withFlag[0]!.children.find((n) => n?.type === 'command_elements')!;
  const parts = elements.children.filter((n): n is Node => n !== null && n.type !== 'command_argument_sep');
  const at = parts.findIndex((n) => n.type === 'command_parameter' && n.text === flag);
  const value = parts[at + 1];
  expect(value?.type, flag).toBe('array_literal_expression');
  const verbatim = value!.descendantsOfType('verbatim_string_characters');
  if (verbatim.length > 0) {
    expect(verbatim).toHaveLength(1);
    expect(value!.text).toBe(verbatim[0]!.text);
    return verbatim[0]!.text.slice(1, -1).replace(/''/g, "'");
  }
  expect(value!.text).toMatch(/^\(-join \[char\[\]\]\((0x[0-9a-f]+, )*0x[0-9a-f]+\)\)$/);
  const codes = value!
    .descendantsOfType('hexadecimal_integer_literal')
    .map((n) => Number.parseInt(n!.text, 16));
  return String.fromCharCode(...codes);
}
