/**
 * A real PowerShell grammar for tests: tree-sitter-powershell (its own WebAssembly build, shipped in
 * the npm package) run by web-tree-sitter. PowerShell itself does not run off Windows; the grammar
 * catches what PowerShell's parser would refuse before a line runs (an unclosed string, brace or
 * here-string, a stray operator), so a script with a syntax error fails CI instead of a device.
 */
import { createRequire } from 'node:module';
import { Language, type Node, Parser } from 'web-tree-sitter';

export interface SyntaxProblem {
  /** 1-based line and column of the node the grammar could not place. */
  line: number;
  column: number;
  kind: 'error' | 'missing';
  /** The text around it, for the failure message. */
  text: string;
}

let parser: Promise<Parser> | undefined;

function powershellParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
    const language = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}

/** The syntax tree of `script` (its root node), for tests that look at what a script says. */
export async function powershellTree(script: string): Promise<Node> {
  const tree = (await powershellParser()).parse(script);
  if (tree === null) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

/** Every ERROR and MISSING node of the parse of `script` (none: the grammar read it whole). */
export async function powershellSyntaxProblems(script: string): Promise<SyntaxProblem[]> {
  const root = await powershellTree(script);
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node) => {
    if (node.isError || node.isMissing) {
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? 'missing' : 'error',
        text: (node.isMissing ? `missing ${node.type}` : node.text).slice(0, 120),
      });
      if (node.isMissing) return;
    }
    if (!node.hasError && !node.isError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return problems;
}
