/**
 * Which exports of src/ some other file uses, read with the parser rolldown bundles (oxc, through
 * rolldown/parseAst) like read-imports.ts. A name counts as used when another file of src/, test/,
 * bench/ or scripts/ imports it by name (`import { x }`, `export { x } from`), imports the whole
 * module (`import * as m`, `import()`, `import('...')` in a type), or reaches it through an
 * `export * from` barrel. A type also counts as used when another export of its own file mentions
 * it (a parameter, a field, a return type): callers then use it without naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAst } from 'rolldown/parseAst';
import { sourceFiles } from './read-imports.js';

export interface ExportedName {
  /** The exporting file, relative to the repository root (src/tpm/tpm.ts). */
  file: string;
  name: string;
  /** A type or interface (erased at run time), or anything else (a value). */
  kind: 'type' | 'value';
}

type Node = Record<string, unknown>;

/** Every file of a module: the .ts under these folders (scripts/*.mjs import only built files). */
const USER_DIRS = ['src', 'test', 'bench', 'scripts'];

interface ModuleFacts {
  /** Names this file exports itself (declared here, or re-exported by name). */
  own: Map<string, ExportedName['kind']>;
  /** Files whose exports this file forwards with `export * from`. */
  starFrom: string[];
  /** Imported names, by resolved file; '*' means every export of that file. */
  uses: Map<string, Set<string>>;
  /** Type names mentioned inside this file's exported declarations, with the export mentioning them. */
  typeMentions: Map<string, Set<string>>;
}

function visit(node: unknown, fn: (n: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, fn);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  fn(node as Node);
  for (const value of Object.values(node)) visit(value, fn);
}

function nameOf(node: unknown): string | null {
  const n = node as { type?: string; name?: unknown; value?: unknown } | null;
  if (n?.type === 'Identifier' && typeof n.name === 'string') return n.name;
  if (n?.type === 'Literal' && typeof n.value === 'string') return n.value;
  return null;
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return target.replace(/\.js$/, '.ts');
}

/** The names a declaration (export const/function/class/interface/type/enum) introduces. */
function declared(decl: Node): { name: string; kind: ExportedName['kind'] }[] {
  switch (decl.type) {
    case 'VariableDeclaration': {
      const names: { name: string; kind: ExportedName['kind'] }[] = [];
      // The bound names: `export const a`, `export const { a, b: c } = ...` (not the type annotation).
      const bind = (pattern: Node | null): void => {
        if (pattern === null) return;
        if (pattern.type === 'Identifier') names.push({ name: pattern.name as string, kind: 'value' });
        else if (pattern.type === 'ObjectPattern')
          for (const p of pattern.properties as Node[])
            bind((p.type === 'RestElement' ? p.argument : p.value) as Node);
        else if (pattern.type === 'ArrayPattern')
          for (const e of pattern.elements as (Node | null)[]) bind(e);
        else if (pattern.type === 'AssignmentPattern') bind(pattern.left as Node);
        else if (pattern.type === 'RestElement') bind(pattern.argument as Node);
      };
      for (const d of decl.declarations as Node[]) bind(d.id as Node);
      return names;
    }
    case 'TSInterfaceDeclaration':
    case 'TSTypeAliasDeclaration': {
      const name = nameOf(decl.id);
      return name === null ? [] : [{ name, kind: 'type' }];
    }
    default: {
      const name = nameOf(decl.id);
      return name === null ? [] : [{ name, kind: 'value' }];
    }
  }
}

function readModule(root: string, file: string): ModuleFacts {
  const facts: ModuleFacts = { own: new Map(), starFrom: [], uses: new Map(), typeMentions: new Map() };
  const use = (target: string | null, name: string): void => {
    if (target === null) return;
    const names = facts.uses.get(target) ?? new Set<string>();
    names.add(name);
    facts.uses.set(target, names);
  };
  const body = parseAst(readFileSync(path.join(root, file), 'utf8'), { lang: 'ts' }, file).body;
  for (const stmt of body as unknown as Node[]) {
    const source = nameOf(stmt.source);
    const target = source === null ? null : resolve(file, source);
    if (stmt.type === 'ImportDeclaration') {
      for (const s of (stmt.specifiers as Node[] | undefined) ?? []) {
        if (s.type === 'ImportSpecifier') use(target, nameOf(s.imported) ?? '*');
        else if (s.type === 'ImportDefaultSpecifier') use(target, 'default');
        else use(target, '*');
      }
    } else if (stmt.type === 'ExportAllDeclaration') {
      if (stmt.exported) use(target, '*');
      else if (target !== null) facts.starFrom.push(target);
    } else if (stmt.type === 'ExportNamedDeclaration') {
      const decl = stmt.declaration as Node | null;
      if (decl) {
        const names = declared(decl);
        for (const { name, kind } of names) facts.own.set(name, kind);
        // Types this export's declaration mentions (its signature, fields, body).
        visit(decl, (n) => {
          const ref =
            n.type === 'TSTypeReference'
              ? nameOf(n.typeName)
              : n.type === 'TSTypeQuery'
                ? nameOf(n.exprName)
                : null;
          if (ref === null) return;
          const by = facts.typeMentions.get(ref) ?? new Set<string>();
          for (const { name } of names) by.add(name);
          facts.typeMentions.set(ref, by);
        });
      }
      for (const s of (stmt.specifiers as Node[] | undefined) ?? []) {
        const exported = nameOf(s.exported);
        const local = nameOf(s.local);
        if (exported === null || local === null) continue;
        facts.own.set(exported, s.exportKind === 'type' || stmt.exportKind === 'type' ? 'type' : 'value');
        use(target, local);
      }
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      facts.own.set('default', 'value');
    }
  }
  // `const { a, b } = await import('./x.js')` uses a and b; any other import() uses every export,
  // and an `import('./x.js').T` type uses T.
  const destructured = new Set<unknown>();
  visit(body, (n) => {
    if (n.type !== 'VariableDeclarator' || (n.id as Node).type !== 'ObjectPattern') return;
    const init = n.init as Node | null;
    const call = (init?.type === 'AwaitExpression' ? init.argument : init) as Node | null;
    const source = call?.type === 'ImportExpression' ? nameOf(call.source) : null;
    if (source === null) return;
    destructured.add(call);
    for (const p of (n.id as Node).properties as Node[]) {
      use(resolve(file, source), p.type === 'Property' ? (nameOf(p.key) ?? '*') : '*');
    }
  });
  visit(body, (n) => {
    if (n.type === 'ImportExpression' && !destructured.has(n)) {
      const source = nameOf(n.source);
      if (source !== null) use(resolve(file, source), '*');
    } else if (n.type === 'TSImportType') {
      const source = nameOf((n.argument as Node | null)?.literal ?? n.source);
      if (source !== null) use(resolve(file, source), nameOf(n.qualifier) ?? '*');
    }
  });
  return facts;
}

/** Every export of src/ that no other file uses (see the file comment for what counts as a use). */
export function unusedExports(root: string): ExportedName[] {
  const modules = new Map<string, ModuleFacts>();
  for (const dir of USER_DIRS.filter((d) => existsSync(path.join(root, d)))) {
    for (const file of sourceFiles(root, dir)) modules.set(file, readModule(root, file));
  }
  const used = new Set<string>();
  const key = (file: string, name: string): string => `${file}#${name}`;
  // A use of `name` from `file`: the file's own export, or one it forwards with `export *`.
  const markUsed = (file: string, name: string, seen = new Set<string>()): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const facts = modules.get(file);
    if (facts === undefined) return;
    if (name === '*') {
      for (const own of facts.own.keys()) used.add(key(file, own));
      for (const star of facts.starFrom) markUsed(star, '*', seen);
      return;
    }
    if (facts.own.has(name)) {
      used.add(key(file, name));
      return;
    }
    for (const star of facts.starFrom) markUsed(star, name, seen);
  };
  for (const [file, facts] of modules) {
    for (const [target, names] of facts.uses) {
      if (target === file) continue;
      for (const name of names) markUsed(target, name);
    }
  }
  const unused: ExportedName[] = [];
  for (const [file, facts] of modules) {
    if (!file.startsWith('src/')) continue;
    for (const [name, kind] of facts.own) {
      if (used.has(key(file, name))) continue;
      // A type another export of the same file mentions is used through that export.
      const mentionedBy = [...(facts.typeMentions.get(name) ?? [])].filter((by) => by !== name);
      if (kind === 'type' && mentionedBy.some((by) => used.has(key(file, by)))) continue;
      unused.push({ file, name, kind });
    }
  }
  return unused.sort((a, b) =>
    a.file === b.file ? a.name.localeCompare(b.name) : a.file.localeCompare(b.file),
  );
}
