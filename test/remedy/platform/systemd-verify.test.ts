/**
 * The generated unit, checked by systemd's own parser (systemd-analyze verify reads the file and
 * loads nothing into the running manager). Never skipped: without systemd-analyze it fails and
 * says how to install it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitFileText } from '../../../src/remedy/platform/systemd-unit.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('systemd-analyze verify', () => {
  it('accepts the unit, with spaces, % and $ in the paths', () => {
    if (!hasAnalyze) throw new Error('systemd-analyze is missing: apt-get install systemd');
    const dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-verify-'));
    try {
      mkdirSync(path.join(dir, 'tpm doctor'));
      const cli = path.join(dir, 'tpm doctor', 'cli%$.cjs');
      writeFileSync(cli, '');
      const runId = 'clear-20250101T120000000Z-a1b2c3';
      const unit = path.join(dir, `tpm-doctor-resume-${runId}.service`);
      writeFileSync(
        unit,
        unitFileText({
          runId,
          journalPath: path.join(dir, 'runs', `${runId}.jsonl`),
          nodePath: process.execPath,
          cliPath: cli,
          platform: 'linux',
        }),
      );
      const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 15_000 });
      const complaints = `${r.stdout}${r.stderr}`
        .split('\n')
        .filter((l) => l.includes(path.basename(unit)) || /ExecStart|Condition|Unknown|Invalid/i.test(l));
      expect(complaints).toEqual([]);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
