/**
 * An internal error's stack, told in tpm-doctor's TypeScript sources: the shipped CLI is minified
 * (dist/cli.cjs, dist/chunks/*.cjs), so a frame such as `(/usr/lib/.../dist/cli.cjs:1:48213)` says
 * nothing to whoever reads the report. The build writes a source map beside each file (`FILE.map`,
 * without the sources themselves; rolldown.config.mjs); each frame in a file that has one is
 * rewritten to `src/cli/main.ts:120:11`. A frame with no map, or at a place the map does not
 * cover, stays as it was.
 *
 * Loaded only when a command failed with an internal error (src/cli/report-failure.ts), in a chunk
 * of its own: reading maps costs nothing on a normal run. The launcher (src/cli/launcher.ts)
 * compiles the bundle with its first line's columns kept, so a frame's column is the file's.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';

/** `    at name (FILE:LINE:COLUMN)` or `    at FILE:LINE:COLUMN`: the location of a stack frame. */
const FRAME = /^(\s+at (?:.*\()?)(.+\.c?js):(\d+):(\d+)(\)?)$/;

/** `error.stack` with every frame of a file that has a source map told in the original source. */
export function readableStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return stack
    .split('\n')
    .map((line) => {
      const frame = FRAME.exec(line);
      if (!frame) return line;
      const [, before = '', file = '', lineText = '', columnText = '', after = ''] = frame;
      if (!maps.has(file)) maps.set(file, sourceMapOf(file));
      const original = originalPosition(maps.get(file), Number(lineText), Number(columnText));
      return original ? `${before}${original}${after}` : line;
    })
    .join('\n');
}

/** The map beside `file`, or undefined when it has none (or not one Node can read). */
function sourceMapOf(file: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
  } catch {
    return undefined;
  }
}

/**
 * `src/...ts:LINE:COLUMN` for a one-based position in the generated file; undefined when the map
 * has no entry on that line (findEntry takes and gives zero-based lines and columns, and answers
 * an empty object, or the nearest entry of an earlier line, when nothing maps there).
 */
function originalPosition(map: SourceMap | undefined, line: number, column: number): string | undefined {
  const entry = map?.findEntry(line - 1, column - 1) as Partial<SourceMapping> | undefined;
  if (entry?.originalSource === undefined || entry.generatedLine !== line - 1) return undefined;
  return `${entry.originalSource}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
}
