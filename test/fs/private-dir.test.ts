/**
 * State folders are private: made 0700, refused when another user owns them, can write them, or
 * can swap a folder on the way to them; and the refusal names the folder and what to do. Run as
 * root with folders and links given to `nobody`, as an attacker would leave them.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrivateDir, ensurePrivateDir } from '../../src/fs/private-dir.js';
import { UnsafePathError } from '../../src/fs/unsafe-path-error.js';
import { modeOf, plantFolder, plantLink, requireRoot } from '../support/other-user.js';

let root: string;
beforeAll(() => {
  requireRoot();
  root = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-private-dir-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function refusal(dir: string): UnsafePathError {
  try {
    ensurePrivateDir(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(UnsafePathError);
    return e as UnsafePathError;
  }
  throw new Error(`expected ${dir} to be refused`);
}

describe('ensurePrivateDir', () => {
  it('makes missing folders 0700 and returns the first one it made', () => {
    const dir = path.join(root, 'made', 'state', 'runs');
    expect(ensurePrivateDir(dir)).toBe(path.join(root, 'made'));
    for (const d of ['made', 'made/state', 'made/state/runs']) expect(modeOf(path.join(root, d))).toBe(0o700);
    expect(ensurePrivateDir(dir)).toBeUndefined();
  });

  it('keeps an existing folder of its own that only it can write (0755 is not private, but not writable)', () => {
    const dir = path.join(root, 'existing');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(() => ensurePrivateDir(dir)).not.toThrow();
    expect(modeOf(dir)).toBe(0o755);
  });

  it('refuses a folder another user owns, naming it and what to do, and writes nothing in it', () => {
    const dir = plantFolder(path.join(root, 'nobodys'), 0o700);
    const e = refusal(dir);
    expect(e.code).toBe('unsafe-path');
    expect(e.path).toBe(dir);
    expect(e.message).toContain(dir);
    expect(e.message).toMatch(/owned by uid 65534, not by root \(uid 0\)/);
    expect(e.message).toMatch(/Remove it, or make it root's and private \(chown 0 .*; chmod 700 .*\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses the folder inside a folder another user owns (they can swap it), even when it is root 0700', () => {
    const parent = plantFolder(path.join(root, 'nobodys-parent'), 0o755);
    const dir = path.join(parent, 'state');
    mkdirSync(dir, { mode: 0o700 });
    expect(refusal(dir).message).toMatch(/is inside .*nobodys-parent, owned by uid 65534/);
  });

  it.each([
    [0o770, 'its group'],
    [0o707, 'everyone'],
    [0o777, 'its group and everyone'],
  ])('refuses a root folder with mode %o (writable by %s)', (mode, who) => {
    const dir = path.join(root, `writable-${mode.toString(8)}`);
    mkdirSync(dir);
    chmodSync(dir, mode);
    expect(refusal(dir).message).toContain(`is writable by ${who} (mode 0${mode.toString(8)})`);
  });

  it('refuses a folder under a world-writable parent without the sticky bit, accepts one under a sticky one (like /tmp)', () => {
    const open = path.join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(refusal(path.join(open, 'state')).message).toMatch(
      /is inside .*open, writable by its group and everyone \(mode 0777\)/,
    );
    const sticky = path.join(root, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    expect(() => ensurePrivateDir(path.join(sticky, 'state'))).not.toThrow();
  });

  it("refuses a path through another user's symbolic link (they can point it elsewhere later)", () => {
    const sticky = path.join(root, 'sticky-links');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const real = path.join(root, 'real-state');
    mkdirSync(real, { mode: 0o700 });
    const link = plantLink(path.join(sticky, 'state'), real);
    expect(refusal(link).message).toMatch(/is a symbolic link owned by uid 65534/);
  });

  it("follows root's own symbolic links and checks where they lead", () => {
    const real = path.join(root, 'real-private');
    mkdirSync(real, { mode: 0o700 });
    const link = path.join(root, 'root-link');
    symlinkSync(real, link);
    expect(() => assertPrivateDir(link)).not.toThrow();
    const nobodys = plantFolder(path.join(root, 'nobodys-target'), 0o700);
    const toNobody = path.join(root, 'root-link-to-nobody');
    symlinkSync(nobodys, toNobody);
    expect(() => assertPrivateDir(toNobody)).toThrow(/owned by uid 65534/);
  });
});
