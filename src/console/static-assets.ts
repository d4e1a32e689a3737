import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** The placeholder in console/index.html where the server writes the LAB banner. */
export const BANNER_PLACEHOLDER = '<!--tenant-banner-->';

/** A built asset's name as Vite writes it: no folder, no dot-file. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The front end built by `npm run build` (dist/console/: index.html and assets/), read into memory
 * once at start: a few hundred kB. Requests are then answered from this map by exact name, so no
 * request path ever reaches the file system.
 */
export function loadAssets(dir: string): { index: string; assets: Map<string, Asset> } {
  let index: string;
  try {
    index = readFileSync(path.join(dir, 'index.html'), 'utf8');
  } catch {
    throw new Error(
      `the console's front end is not in ${dir} (index.html missing): this installation is incomplete; in a source checkout run "npm run build"`,
    );
  }
  if (!index.includes(BANNER_PLACEHOLDER)) {
    throw new Error(
      `${path.join(dir, 'index.html')} has no ${BANNER_PLACEHOLDER}: not the console's front end`,
    );
  }
  const assets = new Map<string, Asset>();
  const assetDir = path.join(dir, 'assets');
  for (const name of statSync(assetDir, { throwIfNoEntry: false })?.isDirectory()
    ? readdirSync(assetDir)
    : []) {
    const type = TYPES[path.extname(name)];
    if (type === undefined || !ASSET_NAME.test(name)) continue;
    assets.set(name, { body: readFileSync(path.join(assetDir, name)), type });
  }
  return { index, assets };
}
