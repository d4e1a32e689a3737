/**
 * State folders (run journals, receipts, the fleet store) that only the user running tpm-doctor
 * can change. tpm-doctor runs as root: a folder another user owns or can write lets that user
 * plant a symbolic link where tpm-doctor is about to create a file, and root would then write
 * through it onto any file of the system (CWE-59). A private folder has no such links to plant.
 *
 * The rules (docs/security.md, "Files tpm-doctor writes"):
 * - a folder tpm-doctor makes is 0700 (mkdir's mode; the umask can only take bits away);
 * - the folder must be owned by the running user and writable by nobody else;
 * - every folder on the way to it (and to the target of every symbolic link on the way) must be
 *   owned by root or the running user and writable by nobody else, or be sticky like /tmp (where
 *   others cannot rename or remove what is not theirs); a symbolic link on the way must be owned by
 *   root or the running user, because its owner can point it elsewhere at any time.
 *
 * Windows has no owner and mode bits to check here (ACLs decide; %ProgramData% is for
 * administrators to secure): the checks apply where POSIX ownership exists.
 */
import { lstatSync, mkdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { UnsafePathError } from './unsafe-path-error.js';

/** Group- or world-writable (S_IWGRP | S_IWOTH). */
const WRITABLE_BY_OTHERS = 0o022;
/** S_ISVTX: in a sticky folder only an entry's owner (or the folder's, or root) renames or removes it. */
const STICKY = 0o1000;
const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `dir` and any missing parent (0700) and checks that it is private (see the module comment).
 * Nothing is made on an unsafe way: the deepest existing folder is checked first. Returns the
 * first folder it made, or undefined when `dir` existed (as mkdirSync with `recursive` does, for a
 * caller that fsyncs the new entries). Throws UnsafePathError otherwise.
 */
export function ensurePrivateDir(dir: string): string | undefined {
  const absolute = path.resolve(dir);
  const existing = deepestExisting(absolute);
  if (existing !== absolute && checksOwnership()) assertSafeWay(existing, true, absolute);
  const firstMade = mkdirSync(absolute, { recursive: true, mode: PRIVATE_DIR_MODE });
  assertPrivateDir(absolute);
  return firstMade;
}

/** Checks that the existing folder `dir` is private (see the module comment); throws UnsafePathError. */
export function assertPrivateDir(dir: string): void {
  if (!checksOwnership()) return;
  const uid = currentUid();
  const absolute = path.resolve(dir);
  assertSafeWay(absolute, false, absolute);
  const own = statSync(absolute);
  const remedy =
    `Remove it, or make it ${who(uid)}'s and private (chown ${uid} ${absolute}; chmod 700 ${absolute}), ` +
    'or choose another folder.';
  if (!own.isDirectory()) throw new UnsafePathError(absolute, 'is not a folder', remedy);
  if (own.uid !== uid) {
    throw new UnsafePathError(
      absolute,
      `is owned by uid ${own.uid}, not by ${who(uid)} (uid ${uid})`,
      remedy,
    );
  }
  if ((own.mode & WRITABLE_BY_OTHERS) !== 0) {
    throw new UnsafePathError(absolute, `is writable by ${writers(own)} (mode ${octal(own.mode)})`, remedy);
  }
}

/**
 * Checks the way to `absolute`: no symbolic link on it that another user owns, and every folder
 * that holds an entry of it (after links) owned by root or the running user and writable by nobody
 * else unless sticky. `absolute` itself is one of those folders when `includeSelf` (a folder about
 * to get new ones inside it). `subject` is the path the refusal names.
 */
function assertSafeWay(absolute: string, includeSelf: boolean, subject: string): void {
  const uid = currentUid();
  const trusted = (owner: number) => owner === uid || owner === 0;
  const containers = new Set<string>();
  for (const prefix of prefixes(absolute)) {
    const link = lstatSync(prefix);
    if (link.isSymbolicLink() && !trusted(link.uid)) {
      throw new UnsafePathError(
        prefix,
        `is a symbolic link owned by uid ${link.uid}, who can point it elsewhere`,
        'Remove it, or choose another folder.',
      );
    }
    const real = realpathSync(prefix);
    for (let d = path.dirname(real); ; d = path.dirname(d)) {
      containers.add(d);
      if (d === path.dirname(d)) break;
    }
    if (prefix !== absolute || includeSelf) containers.add(real);
  }
  if (!includeSelf) containers.delete(realpathSync(absolute));

  for (const container of containers) {
    const st = statSync(container);
    if (!trusted(st.uid)) {
      throw new UnsafePathError(
        subject,
        `is inside ${container}, owned by uid ${st.uid}, who can rename it and put another in its place`,
        'Choose a folder whose parents belong to root or to you.',
      );
    }
    if ((st.mode & WRITABLE_BY_OTHERS) !== 0 && (st.mode & STICKY) === 0) {
      throw new UnsafePathError(
        subject,
        `is inside ${container}, writable by ${writers(st)} (mode ${octal(st.mode)}), who can rename it and put another in its place`,
        'Choose a folder whose parents only their owner can write.',
      );
    }
  }
}

/** POSIX ownership to check: not on Windows, where ACLs decide. */
function checksOwnership(): boolean {
  return process.platform !== 'win32' && typeof process.geteuid === 'function';
}

function currentUid(): number {
  return process.geteuid?.() ?? 0;
}

/** The longest prefix of `absolute` that exists (following links): the root at worst. */
function deepestExisting(absolute: string): string {
  let d = absolute;
  while (statSync(d, { throwIfNoEntry: false }) === undefined && d !== path.dirname(d)) d = path.dirname(d);
  return d;
}

/** `/a/b/c` -> `/a`, `/a/b`, `/a/b/c` (the root itself has nothing to resolve). */
function prefixes(absolute: string): string[] {
  const { root } = path.parse(absolute);
  const parts = absolute.slice(root.length).split(path.sep).filter(Boolean);
  return parts.map((_, i) => path.join(root, ...parts.slice(0, i + 1)));
}

function who(uid: number): string {
  return uid === 0 ? 'root' : 'the user running tpm-doctor';
}

function writers(st: Stats): string {
  const group = (st.mode & 0o020) !== 0;
  const others = (st.mode & 0o002) !== 0;
  return group && others ? 'its group and everyone' : group ? 'its group' : 'everyone';
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}
