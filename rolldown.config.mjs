import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'rolldown';

const root = path.dirname(fileURLToPath(import.meta.url));

// The CLI is bundled into a few CommonJS files: reading and compiling one file instead of dozens
// of ESM modules is most of tpm-doctor's start-up budget (docs/benchmarks.md). Verbs, transports
// and the lab stay separate chunks, loaded only when used. The source stays ESM TypeScript.
// dist/tpm-doctor.cjs is the launcher (src/cli/launcher.ts), which loads dist/cli.cjs through
// V8's code cache (scripts/record-code-cache.mjs fills it at build time).
// Kept out of the bundle and loaded from node_modules only by the commands that need them:
// koffi (Windows TBS) and better-sqlite3 are native; @azure/identity and pg are large and only
// `fleet` uses them.
const common = {
  platform: 'node',
  external: ['koffi', 'better-sqlite3', 'pg', /^@azure\//],
};

/**
 * Where an internal error's text tells the admin to report it: package.json's `bugs.url`, when it
 * has one, fixed at build time (src/cli/report-failure.ts says who to tell otherwise).
 */
const { bugs } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const bugsUrl = typeof bugs === 'string' ? bugs : bugs?.url;
const define = { __TPM_DOCTOR_BUGS_URL__: JSON.stringify(typeof bugsUrl === 'string' ? bugsUrl : null) };

/**
 * Source maps of the shipped files, for an internal error's stack (src/cli/readable-stack.ts reads
 * them only then): 'hidden' adds no sourceMappingURL comment (Node would not use it anyway without
 * --enable-source-maps), no source text ships (sourcesContent left out), and each source is named
 * from the package root (`src/cli/main.ts`), whichever folder the map lies in.
 */
const sourceMaps = {
  sourcemap: 'hidden',
  sourcemapExcludeSources: true,
  sourcemapPathTransform: (source, sourcemapPath) =>
    path.relative(root, path.resolve(path.dirname(sourcemapPath), source)).replaceAll('\\', '/'),
};

/**
 * A few chunks besides the entry, by what a command needs: every file is a module lookup, a read
 * and a compile at start-up, so `status` loads the entry (core) and its transport (`tcp` for
 * swtpm/mssim), `diagnose` adds `diagnose`, `clear`/`resume`/`runs` add `remedy`, and `lab:` adds `lab`. The Windows TBS binding stays
 * apart (it is loaded with import() on Windows).
 */
function chunkOf(id) {
  const file = id.replaceAll('\\', '/');
  if (file.includes('/src/tpm/transport/tbs')) return null;
  // A chunk of its own (as import() makes it), read only when a command fails with an internal
  // error: never loaded on a normal run. (A named group would pull rolldown's runtime helpers out
  // of the entry into one more file every run loads.)
  if (/\/src\/cli\/readable-stack\./.test(file)) return null;
  // A translation is loaded only when its language is chosen; English messages go with the
  // diagnosis, the first output that needs them (status --json needs none).
  if (/\/src\/text\/messages\/ja/.test(file)) return 'messages-ja';
  if (/\/src\/text\/messages\/(en|catalog)/.test(file)) return 'diagnose';
  // TCP transports (swtpm, mssim) load node:net, which a Linux device: run does not need.
  if (/\/src\/tpm\/transport\/(socket-transport|swtpm|mssim)\./.test(file)) return 'tcp';
  if (/\/src\/lab\/tenant\//.test(file) || /\/src\/cli\/commands\/lab\./.test(file)) return 'lab-tenant';
  if (/\/src\/(lab)\//.test(file)) return 'lab';
  // The console (its server; its front end is built by Vite into dist/console): only `console` loads
  // it. Not named "console": with that group name rolldown 1.2 moved the core into the chunk.
  if (/\/src\/console\//.test(file) || /\/src\/cli\/commands\/console\./.test(file)) return 'web-console';
  // `tpm-doctor completion` reads every command's option table: never on another command's path.
  if (/\/src\/cli\/(commands\/completion|completion\/)/.test(file)) return null;
  // Each store backend a chunk of its own, loaded by open-store.ts's import() only when that store
  // is opened: rolldown hoists a chunk's external require()s (pg, better-sqlite3) to the chunk's
  // top, so inside the fleet chunk both drivers loaded with every fleet command.
  if (/\/src\/fleet\/store\/sqlite-store\./.test(file)) return 'store-sqlite';
  if (/\/src\/fleet\/store\/postgres-store\./.test(file)) return 'store-postgres';
  if (/\/src\/fleet\//.test(file) || /\/src\/cli\/(commands\/fleet|fleet)/.test(file)) return 'fleet';
  if (/\/src\/(remedy|verify)\//.test(file)) return 'remedy';
  if (/\/src\/cli\/(commands\/(clear|resume|runs|abandon)|render\/gate-text|lockout-auth)/.test(file))
    return 'remedy';
  // The refusals speak the admin's language (text/messages): with the clear, not in the core.
  if (/\/src\/plan\/[a-z-]*refusal\.|\/src\/plan\/resume-target\./.test(file)) return 'remedy';
  // src/system (child processes, PowerShell) goes with the evidence collector, the first to need it
  // (clear loads this chunk anyway): node:child_process stays out of the core.
  if (/\/src\/(diagnose|snapshot|probe\/windows|system)\//.test(file)) return 'diagnose';
  if (/\/src\/probe\/take-snapshot\./.test(file)) return 'diagnose';
  if (/\/src\/cli\/(commands\/(diagnose|collect)|render\/(diagnosis|collect)-text)/.test(file))
    return 'diagnose';
  if (/\/src\//.test(file)) return 'core';
  return null;
}

export default defineConfig([
  {
    ...common,
    input: { cli: 'src/cli/main.ts' },
    transform: { define },
    output: {
      ...sourceMaps,
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'chunks/[name].cjs',
      minify: true,
      codeSplitting: { groups: [{ name: chunkOf, debugName: 'by-command' }] },
    },
  },
  {
    ...common,
    input: { 'tpm-doctor': 'src/cli/launcher.ts' },
    output: {
      ...sourceMaps,
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      codeSplitting: false,
      minify: true,
      banner: '#!/usr/bin/env node',
    },
  },
  {
    ...common,
    input: { bench: 'bench/run.ts' },
    output: { dir: 'dist/bench', format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
  },
]);
