/**
 * The import graph of src/, read with the parser rolldown bundles (oxc, through rolldown/parseAst):
 * every static import, type-only import, re-export, side-effect import, dynamic import() and
 * `import('...')` type of every src/**\/*.ts file, resolved to the file it names. Comments and
 * strings that merely mention an import are not imports, which a parser knows and a regex does not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAst } from 'rolldown/parseAst';

export interface ImportEdge {
  /** Importing file, relative to the repository root with forward slashes (src/probe/tpm-status.ts). */
  from: string;
  /** Imported file, the same way. */
  to: string;
  /** How it is imported: static (import/export ... from, including type-only), dynamic (import()) or type (import('...') in a type). */
  kind: 'static' | 'dynamic' | 'type';
}

const NODE_KINDS: Readonly<Record<string, ImportEdge['kind']>> = {
  ImportDeclaration: 'static',
  ExportNamedDeclaration: 'static',
  ExportAllDeclaration: 'static',
  ImportExpression: 'dynamic',
  TSImportType: 'type',
};

/** The module specifiers a TypeScript source imports, with how. */
export function importSpecifiers(
  source: string,
  file = 'file.ts',
): { specifier: string; kind: ImportEdge['kind'] }[] {
  const found: { specifier: string; kind: ImportEdge['kind'] }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    const kind = typeof n.type === 'string' ? NODE_KINDS[n.type] : undefined;
    const src = n.source as { type?: unknown; value?: unknown } | null | undefined;
    if (kind && src?.type === 'Literal' && typeof src.value === 'string')
      found.push({ specifier: src.value, kind });
    for (const [key, value] of Object.entries(n)) if (key !== 'source') visit(value);
  };
  visit(parseAst(source, { lang: 'ts' }, file).body);
  return found;
}

/** Every .ts file under `dir`, relative to `root`. */
export function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** The relative imports between the files of `dir` (package and node: imports are not edges). */
export function importGraph(root: string, dir = 'src'): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of sourceFiles(root, dir)) {
    for (const { specifier, kind } of importSpecifiers(readFileSync(path.join(root, from), 'utf8'), from)) {
      if (!specifier.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
      edges.push({ from, to: target.replace(/\.js$/, '.ts'), kind });
    }
  }
  return edges;
}
