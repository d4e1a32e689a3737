/**
 * The `tpm-doctor` executable: loads the bundled CLI (dist/cli.cjs and its chunks) through V8's
 * code cache. Compiling tpm-doctor's own JavaScript is a large part of a one-shot command's
 * start-up (docs/benchmarks.md); `npm run build` records the compiled code of representative runs
 * in dist/code-cache/, and later runs hand it to V8 instead of parsing and compiling again. V8
 * rejects a cache from another V8 version or with other flags, but checks the source only by its
 * length, so each cache file is named by a hash of the exact source it was compiled from: a
 * rebuilt or patched file never meets an old cache. A missing cache only costs speed. This is
 * the technique of the v8-compile-cache package, narrowed to our own files.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

interface LoadableModule {
  exports: unknown;
  filename: string;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}

interface ModuleStatics {
  prototype: LoadableModule;
  wrap(source: string): string;
  /** What wrap() puts before and after the source. */
  wrapper: readonly [string, string];
  _resolveFilename(request: string, parent: LoadableModule, isMain?: boolean, options?: unknown): string;
  _cache: unknown;
  _extensions: unknown;
}

const dist = __dirname;
const cacheDir = path.join(dist, 'code-cache');
const recording = process.env.TPM_DOCTOR_RECORD_CODE_CACHE === '1';
const compiled: { script: vm.Script; file: string }[] = [];
const statics = Module as unknown as ModuleStatics;
const originalCompile = statics.prototype._compile;
const mainModule = require.main;
const wrapperPrefixLength = statics.wrapper[0].length;

statics.prototype._compile = function compileWithCache(
  this: LoadableModule,
  content: string,
  filename: string,
) {
  // Only our own bundle; a chunk with import() (the Windows TBS binding) needs Node's ESM loader.
  if (path.dirname(filename) !== dist && path.dirname(filename) !== path.join(dist, 'chunks')) {
    return originalCompile.call(this, content, filename);
  }
  if (content.includes('import(')) return originalCompile.call(this, content, filename);
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const file = path.join(cacheDir, `${path.basename(filename)}.${digest}.bin`);
  let cachedData: Buffer | undefined;
  if (!recording) {
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
  }
  const body = content.startsWith('#!') ? `//${content.slice(2)}` : content;
  // The wrapper goes before the file's first line: a negative column offset keeps the columns of
  // that line in a stack trace those of the file, as its source map reads them
  // (src/cli/readable-stack.ts).
  const script = new vm.Script(statics.wrap(body), {
    filename,
    columnOffset: -wrapperPrefixLength,
    ...(cachedData ? { cachedData } : {}),
  });
  if (recording) compiled.push({ script, file });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  const requireFn = Object.assign((id: string) => this.require(id), {
    resolve: (request: string, options?: unknown) => statics._resolveFilename(request, this, false, options),
    main: mainModule,
    cache: statics._cache,
    extensions: statics._extensions,
  });
  return wrapper.call(this.exports, this.exports, requireFn, this, filename, path.dirname(filename));
};

if (recording) {
  // After the run, so the cache holds the functions the run compiled lazily too.
  process.once('exit', () => {
    mkdirSync(cacheDir, { recursive: true });
    for (const { script, file } of compiled) writeFileSync(file, script.createCachedData());
  });
}

require(path.join(dist, 'cli.cjs'));
