import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * koffi in the single executable (docs/single-executable.md). A Node single-executable
 * application's require() reaches built-in modules only, so koffi's native module for Windows x64
 * travels inside the executable as the SEA asset KOFFI_ASSET (scripts/build-exe.mjs puts it there
 * under the same name) and is loaded with process.dlopen
 * (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html, "Assets"). koffi's own index.js only picks the native file for the platform and adds deprecated
 * aliases; tpm-doctor uses the native module's functions, which it exports itself.
 *
 * A DLL loads from a file: the asset is written into a fresh folder made by mkdtemp (a random
 * name, created by this process under its own temporary folder, so no other user's file is
 * loaded), and the folders earlier runs could not remove (Windows keeps a loaded DLL open until the
 * process exits) are removed first.
 */
const KOFFI_ASSET = 'koffi-win32-x64.node';
const FOLDER_PREFIX = 'tpm-doctor-koffi-';

/** koffi from the executable's asset, or undefined when this is not a single executable. */
export function koffiFromExecutable(): typeof import('koffi') | undefined {
  const sea = process.getBuiltinModule?.('node:sea') as typeof import('node:sea') | undefined;
  if (!sea?.isSea()) return undefined;
  let asset: ArrayBuffer;
  try {
    asset = sea.getAsset(KOFFI_ASSET);
  } catch (e) {
    throw new Error(`this executable was built without koffi (the asset ${KOFFI_ASSET} is missing)`, {
      cause: e,
    });
  }
  removeEarlierCopies();
  const folder = mkdtempSync(path.join(os.tmpdir(), FOLDER_PREFIX));
  const file = path.join(folder, 'koffi.node');
  writeFileSync(file, new Uint8Array(asset), { flag: 'wx' });
  const loaded = { exports: {} as typeof import('koffi') };
  process.dlopen(loaded, file);
  process.once('exit', () => {
    try {
      rmSync(folder, { recursive: true, force: true, maxRetries: 0 });
    } catch {
      // Windows: the DLL is still loaded; the next run removes the folder.
    }
  });
  return loaded.exports;
}

function removeEarlierCopies(): void {
  let names: string[];
  try {
    names = readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(FOLDER_PREFIX)) continue;
    try {
      // Fails for a copy another tpm-doctor still has loaded, or another user's folder: both stay.
      rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true, maxRetries: 0 });
    } catch {
      // kept
    }
  }
}
