/**
 * Every command's options are declared once, in its option table: what parseArgs accepts, what
 * its help lists, and what the shell completes. These tests hold the three together for every
 * command and fleet sub-command.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND as COMPLETION } from '../../src/cli/commands/completion.js';
import { SUBCOMMANDS } from '../../src/cli/commands/fleet.js';
import { formatHelp } from '../../src/cli/help.js';
import { type CommandSpec, helpPage } from '../../src/cli/option-table.js';
import { VERBS } from '../../src/cli/verbs.js';
import { ROOT, runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

/** [words typed after tpm-doctor, the command's table], for every verb and fleet sub-command. */
async function everyCommand(): Promise<[string[], CommandSpec][]> {
  const all: [string[], CommandSpec][] = [];
  for (const [name, verb] of Object.entries(VERBS)) {
    const spec = (await verb.load()).COMMAND;
    expect(spec, `${name} exports its COMMAND`).toBeDefined();
    all.push([[name], spec as CommandSpec]);
  }
  all.push([['completion'], COMPLETION]);
  for (const [name, sub] of Object.entries(SUBCOMMANDS)) {
    const spec = (await sub.load()).COMMAND;
    expect(spec, `fleet ${name} exports its COMMAND`).toBeDefined();
    all.push([['fleet', name], spec as CommandSpec]);
  }
  return all;
}

/** The long names of the option rows of a help page ("  -q, --quiet  ...", "  --store SPEC  ..."). */
function optionRows(page: string): string[] {
  return page
    .split('\n')
    .map((line) => /^ {2}(?:-[A-Za-z], )?--([a-z][\w-]*)(?: \S+)?(?: {2,}\S|$)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('option tables', () => {
  it('every option a command parses is listed exactly once in its help, and the help lists no other', async () => {
    const commands = await everyCommand();
    expect(commands.length).toBe(Object.keys(VERBS).length + 1 + Object.keys(SUBCOMMANDS).length);
    for (const [words, spec] of commands) {
      const page = formatHelp(helpPage(spec));
      const rows = optionRows(page);
      const names = Object.keys(spec.options);
      expect([...rows].sort(), words.join(' ')).toEqual([...names].sort());
      expect(new Set(rows).size, `${words.join(' ')}: an option listed twice`).toBe(rows.length);
      for (const line of page.split('\n'))
        expect(line.length, `${words.join(' ')}: ${line}`).toBeLessThanOrEqual(80);
    }
  });

  it('the built CLI prints the page laid out from its table', async () => {
    for (const [words, spec] of await everyCommand()) {
      const r = await runCli([...words, '--help']);
      expect(r.code, words.join(' ')).toBe(0);
      expect(r.stdout, words.join(' ')).toBe(formatHelp(helpPage(spec)));
    }
  });

  it('every parseArgs call of the CLI is given a table, not options written inline', () => {
    const dir = path.join(ROOT, 'src/cli');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    let calls = 0;
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const call of text.matchAll(/parseVerbArgs\(([^)]*)\)/g)) {
        if (file === 'args.ts') continue;
        calls++;
        const options = (call[1] ?? '').split(',')[2]?.trim() ?? '';
        expect(options, `${file}: ${call[0]}`).toMatch(
          /^[A-Z_]+$|^verb === 'sync' \? SYNC_OPTIONS : REMEDIATE_OPTIONS$/,
        );
      }
    }
    expect(calls).toBeGreaterThanOrEqual(Object.keys(VERBS).length + 1 + Object.keys(SUBCOMMANDS).length - 2);
  });

  it('the fleet connection block is one table: the same rows, in the same words, in every fleet command', async () => {
    const block = (page: string) =>
      page.slice(page.indexOf('Connection (production):')).split('\n\nExample')[0];
    const pages = (await everyCommand())
      .filter(
        ([words]) =>
          ['triage', 'sync', 'remediate', 'clear', 'resume', 'console'].includes(words.at(-1) ?? '') &&
          (words[0] === 'fleet' || words[0] === 'console'),
      )
      .map(([, spec]) => spec);
    expect(pages.length).toBe(6);
    const first = block(helpPage(pages[0] as CommandSpec));
    expect(first).toContain('--graph-url URL');
    for (const spec of pages)
      expect(optionRows(block(helpPage(spec)) ?? '')).toEqual(optionRows(first ?? ''));
  });
});
