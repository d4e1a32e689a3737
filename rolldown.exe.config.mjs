import path from 'node:path';
import { defineConfig } from 'rolldown';

// The device build for Node's single-executable applications (docs/single-executable.md):
// a SEA runs exactly one CommonJS script whose require() reaches Node's built-in modules only,
// so everything is one file (codeSplitting false turns every import() into code already in the
// bundle, no chunk is loaded at run time). The fleet, its web console and the lab tenant stay out: their database
// drivers are native or large and a device never runs them; `fleet` and `lab` answer that they
// are not in this build (src/cli/commands/not-in-device-build.ts), and `completion` completes the
// device commands only. koffi (the Windows TBS
// binding) is left to a runtime import that a SEA cannot satisfy: `tbs:` then reports that koffi
// is missing, as a plain install without koffi does.
const OMITTED_VERBS = new Map([
  ['./commands/fleet.js', 'fleet'],
  ['./commands/lab.js', 'lab'],
  ['./commands/console.js', 'console'],
]);
const OMISSION_PREFIX = '\0not-in-device-build:';
const omission = path.resolve('src/cli/commands/not-in-device-build.ts');

const leaveOutFleet = {
  name: 'leave-out-fleet',
  resolveId(source, importer) {
    const verb = OMITTED_VERBS.get(source);
    if (verb && importer?.replaceAll('\\', '/').endsWith('/src/cli/verbs.ts')) {
      return `${OMISSION_PREFIX}${verb}`;
    }
    return null;
  },
  load(id) {
    if (!id.startsWith(OMISSION_PREFIX)) return null;
    const verb = id.slice(OMISSION_PREFIX.length);
    return `import { notInDeviceBuild } from ${JSON.stringify(omission)};\nexport const { run } = notInDeviceBuild(${JSON.stringify(verb)});\n`;
  },
};

// A SEA's main script has no dynamic import() (Node 20 gives it no module loader for one): a
// built-in module imported lazily in the source is required instead, which a SEA's require() can.
const builtinImportsAsRequire = {
  name: 'builtin-imports-as-require',
  renderChunk(code) {
    return code.replace(
      /\bimport\((["'`])(node:[\w/]+)\1\)/g,
      (_m, _q, id) => `Promise.resolve(require(${JSON.stringify(id)}))`,
    );
  },
};

export default defineConfig({
  input: { 'tpm-doctor-device': 'src/cli/main.ts' },
  platform: 'node',
  external: ['koffi', 'better-sqlite3', 'pg', /^@azure\//],
  plugins: [leaveOutFleet, builtinImportsAsRequire],
  output: {
    dir: 'dist/exe',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    codeSplitting: false,
    minify: true,
  },
});
