import { defineConfig } from 'rolldown';

// The CLI is bundled into a few CommonJS files: reading and compiling one file instead of dozens
// of ESM modules is most of tpm-doctor's start-up budget (docs/benchmarks.md). Verbs, transports
// and the lab stay separate chunks, loaded only when used. The source stays ESM TypeScript.
// dist/tpm-doctor.cjs is the launcher (src/cli/launcher.ts), which loads dist/cli.cjs through
// V8's code cache (scripts/record-code-cache.mjs fills it at build time).
const common = {
  platform: 'node',
  external: ['koffi'],
};

export default defineConfig([
  {
    ...common,
    input: { cli: 'src/cli/main.ts' },
    output: {
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'chunks/[name]-[hash].cjs',
      minify: true,
    },
  },
  {
    ...common,
    input: { 'tpm-doctor': 'src/cli/launcher.ts' },
    output: {
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
