/**
 * The folder tree reads as the pipeline (docs/architecture.md, "Layers"): each top-level folder of
 * src/ is a layer, a layer imports only layers below it, and no two folders import each other.
 * The order is data here and a line in docs/architecture.md; the two are kept equal by a test.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, importGraph, importSpecifiers, sourceFiles } from './read-imports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The layers, lowest first. A file of a layer may import its own layer and any layer before it.
 * - exit-codes: the process exit codes (src/exit-codes.ts), a contract of their own (docs/exit-codes.md);
 * - errors: the common error base (src/errors.ts), each code with its exit code;
 * - text: text from outside made safe to show in a terminal (docs/security.md), measured, wrapped,
 *   and the words of human output (message catalogs, durations, times), a leaf;
 * - tpm: the TPM 2.0 client library; it knows nothing of tpm-doctor;
 * - system: the bridge to the operating system (processes, PowerShell);
 * - snapshot: the contract between probe and diagnose, types and their vocabulary only;
 * - probe: what fills the snapshot (the TPM, Windows evidence);
 * - diagnose: the rules, reading the snapshot only (see READS_ONLY);
 * - verify: the clear's fingerprints and proofs. It sits below remedy although it comes last in the
 *   pipeline, because the clear run (act) takes the fingerprint before it clears and proves the clear
 *   after; verify itself imports only the TPM library;
 * - fs: files created safely (private folders, exclusive no-follow creates, atomic replace);
 * - remedy: act (the gate, the journal, the clear runs, the runbook, the platform steps);
 * - plan: the product's choices before acting (default clear method, refusals, tenant pinning): pure
 *   functions over remedy's and the fleet's vocabulary (types), used by the verbs and campaigns;
 * - fleet: the same pipeline over Microsoft Graph for many devices;
 * - lab: swtpm instances and the simulated Intune tenant, the other side of every wire;
 * - console: the fleet in a browser (its HTTP server on loopback and its JSON API), over the same
 *   fleet modules as the verbs; the `console` verb starts it;
 * - cli: the verbs, on top of everything.
 */
const LAYERS = [
  'exit-codes',
  'errors',
  'text',
  'tpm',
  'fs',
  'system',
  'snapshot',
  'probe',
  'diagnose',
  'verify',
  'remedy',
  'plan',
  'fleet',
  'lab',
  'console',
  'cli',
] as const;

/** Layers held to fewer imports than their rank allows: the only folders (under src/) they may import. */
const READS_ONLY: Readonly<Record<string, readonly string[]>> = {
  // The contract depends on nothing: plain types, the vocabulary of their fields, the redaction rule.
  snapshot: ['errors'],
  // Terminal safety is a leaf: every renderer may use it, it uses nothing of ours.
  text: [],
  // The operating-system bridge is a leaf: anything may use it, it uses nothing of ours.
  system: ['errors'],
  // Rules are pure functions of the snapshot; the TCG tables (vendor IDs) are spec data, not a probe;
  // the words of a finding come from the message catalogs (text/messages), which hold no logic.
  diagnose: ['snapshot', 'tpm/constants', 'errors', 'text'],
};

/**
 * Imports that break a rule today, in code being restructured elsewhere: each says why it is still
 * here. Shrink this list; never grow it without a reason a reviewer accepts.
 */
const ALLOWED_UPWARD: readonly { from: string; to: string; why: string }[] = [];

/** Import cycles between files that exist today, each with the reason it is still here. */
const ALLOWED_FILE_CYCLES: readonly { files: readonly string[]; why: string }[] = [];

/** The layer of a file: its top-level folder under src/, or the name of a file directly in src/. */
function layerOf(file: string): string {
  const [, first = ''] = file.split('/');
  return first.replace(/\.ts$/, '');
}

function rank(layer: string): number {
  return (LAYERS as readonly string[]).indexOf(layer);
}

function allowedUpward(edge: ImportEdge): boolean {
  return ALLOWED_UPWARD.some((a) => a.from === edge.from && a.to === edge.to);
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

function adjacency(pairs: Iterable<[string, string]>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (!out.has(a)) out.set(a, new Set());
    if (!out.has(b)) out.set(b, new Set());
    out.get(a)!.add(b);
  }
  return out;
}

const graph = importGraph(ROOT);
const files = sourceFiles(ROOT, 'src');

describe('the import reader', () => {
  it('finds static, type-only, re-exported, side-effect, dynamic and type imports, and nothing in comments or strings', () => {
    const found = importSpecifiers(
      [
        "import { a } from './a.js';",
        "import type { B } from '../b.js';",
        "export { c } from './c.js';",
        "export * from './d.js';",
        "import './e.js';",
        "const f = await import('./f.js');",
        "type G = typeof import('./g.js');",
        "// import { x } from './comment.js';",
        "/* import('./block.js') */ const s = \"import { y } from './string.js'\";",
        "const glob = 'src/**/*.ts';",
      ].join('\n'),
    );
    expect(found).toEqual([
      { specifier: './a.js', kind: 'static' },
      { specifier: '../b.js', kind: 'static' },
      { specifier: './c.js', kind: 'static' },
      { specifier: './d.js', kind: 'static' },
      { specifier: './e.js', kind: 'static' },
      { specifier: './f.js', kind: 'dynamic' },
      { specifier: './g.js', kind: 'type' },
    ]);
  });

  it('reads the whole of src/, and every import it resolves names a file that exists', () => {
    expect(files.length).toBeGreaterThan(250);
    expect(graph.length).toBeGreaterThan(1000);
    expect(graph.some((e) => e.kind === 'dynamic')).toBe(true);
    const missing = graph.filter((e) => !existsSync(path.join(ROOT, e.to)));
    expect(missing).toEqual([]);
  });
});

describe('the layers of src/', () => {
  it('every top-level folder and file of src/ is a layer', () => {
    const unknown = [...new Set(files.map(layerOf))].filter((l) => rank(l) < 0);
    expect(
      unknown,
      `add these to LAYERS (test/architecture/import-graph.test.ts) and docs/architecture.md`,
    ).toEqual([]);
  });

  it('docs/architecture.md states the same order', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    expect(doc).toContain(LAYERS.map((l) => `\`${l}\``).join(' → '));
  });

  it('no file imports a layer above its own', () => {
    const upward = graph
      .filter((e) => rank(layerOf(e.to)) > rank(layerOf(e.from)) && !allowedUpward(e))
      .map((e) => `${e.from} -> ${e.to} (${layerOf(e.from)} imports ${layerOf(e.to)})`);
    expect(upward).toEqual([]);
  });

  it.each(Object.entries(READS_ONLY))('%s imports only %j', (layer, allowed) => {
    const outside = graph
      .filter((e) => layerOf(e.from) === layer && layerOf(e.to) !== layer && !allowedUpward(e))
      .filter((e) => !allowed.some((a) => e.to === `src/${a}.ts` || e.to.startsWith(`src/${a}/`)))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(outside).toEqual([]);
  });

  it('no two layers import each other, directly or through others', () => {
    const between = graph
      .filter((e) => layerOf(e.from) !== layerOf(e.to) && !allowedUpward(e))
      .map((e): [string, string] => [layerOf(e.from), layerOf(e.to)]);
    expect(cycles(adjacency(between))).toEqual([]);
  });

  it('no import cycle between files, beyond the ones listed with their reason', () => {
    const found = cycles(adjacency(graph.map((e): [string, string] => [e.from, e.to])));
    const known = ALLOWED_FILE_CYCLES.map((c) => [...c.files].sort().join(' <-> '));
    expect(found.map((c) => c.join(' <-> ')).filter((c) => !known.includes(c))).toEqual([]);
  });

  it('the allowlists name only imports and cycles that still exist (shrink them as they go)', () => {
    const stale = ALLOWED_UPWARD.filter((a) => !graph.some((e) => e.from === a.from && e.to === a.to));
    expect(stale).toEqual([]);
    const current = cycles(adjacency(graph.map((e): [string, string] => [e.from, e.to]))).map((c) =>
      c.join(' <-> '),
    );
    const gone = ALLOWED_FILE_CYCLES.filter((c) => !current.includes([...c.files].sort().join(' <-> ')));
    expect(gone.map((c) => c.files)).toEqual([]);
  });
});
