// `npm run build:intunewin` (after `npm run build:exe`): the Intune Win32 app of tpm-doctor.exe
// (docs/deploy-windows.md):
//   dist/exe/tpm-doctor.intunewin  tpm-doctor.exe, install.ps1 and uninstall.ps1 (packaging/windows/),
//                                  as Microsoft's Win32 Content Prep Tool packages a folder
//                                  (scripts/intunewin.mjs), install.ps1 as the setup file;
//   dist/exe/detect.ps1            the detection script to upload with it, for this version.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildIntunewin } from './intunewin.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist', 'exe');
const exe = path.join(out, 'tpm-doctor.exe');
const packaging = path.join(root, 'packaging', 'windows');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

if (!existsSync(exe)) {
  console.error('build-intunewin: dist/exe/tpm-doctor.exe is missing: run "npm run build:exe" first');
  process.exit(1);
}
/** Windows PowerShell 5.1 reads a script without a byte order mark in the ANSI code page. */
function asciiScript(name) {
  const text = readFileSync(path.join(packaging, name), 'utf8');
  const bad = /[^\t\r\n\x20-\x7e]/.exec(text);
  if (bad) throw new Error(`packaging/windows/${name}: non-ASCII character at ${bad.index}`);
  return text.replaceAll(/\r?\n/g, '\r\n');
}

const source = path.join(out, 'intune-source');
rmSync(source, { recursive: true, force: true });
mkdirSync(source, { recursive: true });
copyFileSync(exe, path.join(source, 'tpm-doctor.exe'));
for (const script of ['install.ps1', 'uninstall.ps1'])
  writeFileSync(path.join(source, script), asciiScript(script));
const output = path.join(out, 'tpm-doctor.intunewin');
buildIntunewin({ sourceDir: source, setupFile: 'install.ps1', output });
writeFileSync(path.join(out, 'detect.ps1'), asciiScript('detect.ps1').replace('__VERSION__', version));
rmSync(source, { recursive: true, force: true });
console.error(
  `build-intunewin: ${path.relative(root, output)} and dist/exe/detect.ps1 (tpm-doctor ${version})`,
);
