/**
 * Another local user's files, made for real: the tests run as root (as CI does), plant folders
 * and symbolic links, and give them to `nobody` (uid 65534) with lchown, so tpm-doctor meets them
 * exactly as it would meet an attacker's. And a root file for the attacker to aim at, to check it
 * is left untouched.
 */
import {
  chmodSync,
  lchownSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** The uid and gid of `nobody` on Linux: an unprivileged user that owns nothing of root's. */
export const NOBODY = 65534;

/** Throws unless the tests run as root: only root can give a file to another user. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error("this test plants another user's files with chown: run it as root (CI does)");
  }
}

/** Makes folder `dir` as `nobody`'s, with `mode` (default 0777: anyone, the attacker included, writes in it). */
export function plantFolder(dir: string, mode = 0o777): string {
  requireRoot();
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
  lchownSync(dir, NOBODY, NOBODY);
  return dir;
}

/** Plants at `link` a symbolic link to `target`, owned by `nobody`. */
export function plantLink(link: string, target: string): string {
  requireRoot();
  symlinkSync(target, link);
  lchownSync(link, NOBODY, NOBODY);
  return link;
}

/** A root file (0600) in a root folder (0700) under `dir`: what the attacker wants overwritten. */
export function makeVictim(dir: string): { file: string; content: string; unchanged(): boolean } {
  const folder = path.join(dir, 'root-only');
  mkdirSync(folder, { mode: 0o700 });
  const file = path.join(folder, 'shadow');
  const content = 'root:$6$secret-hash:19000:0:99999:7:::\n';
  writeFileSync(file, content, { mode: 0o600 });
  const before = statSync(file);
  return {
    file,
    content,
    unchanged: () => {
      const now = statSync(file);
      return (
        readFileSync(file, 'utf8') === content &&
        now.uid === before.uid &&
        (now.mode & 0o7777) === 0o600 &&
        now.ino === before.ino
      );
    },
  };
}

/** A file's permission bits, e.g. 0o600. */
export function modeOf(file: string): number {
  return statSync(file).mode & 0o7777;
}
