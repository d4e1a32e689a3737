/**
 * What an admin sees in an 80x24 terminal: the built CLI writing to a pipe lays out for 80
 * columns without colour, as it does in a terminal that wide; colour follows NO_COLOR and
 * FORCE_COLOR.
 */
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/text/display-width.js';
import { runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

const SCREEN = { columns: 80, rows: 24 };
const ESC = '\x1b';

function widest(text: string): number {
  return Math.max(...text.split('\n').map((l) => displayWidth(l)));
}

describe('diagnose on the lockout and stale-objects lab TPM, at 80 columns', () => {
  it('shows the verdict and the whole next step on the first screen, no line wider than the screen', async () => {
    const r = await runCli(['diagnose', '--tpm', 'lab:stale-objects,lockout'], { timeoutMs: 60_000 });
    expect(r.code).toBe(7);
    expect(r.stdout).not.toContain(ESC);
    expect(widest(r.stdout)).toBeLessThanOrEqual(SCREEN.columns);
    const lines = r.stdout.split('\n');
    const firstScreen = lines.slice(0, SCREEN.rows);
    expect(firstScreen.some((l) => /^Verdict +PROBLEMS FOUND$/.test(l))).toBe(true);
    const next = firstScreen.findIndex((l) => /^Next step +wait {2}\(tpm\.lockout\)$/.test(l));
    expect(next).toBeGreaterThan(0);
    // The next step's paragraph ends on the first screen: "Clear TPM?" follows it there.
    const clear = firstScreen.findIndex((l) => l.startsWith('Clear TPM?'));
    expect(clear).toBeGreaterThan(next + 1);
    expect(firstScreen.slice(next + 1, clear).join(' ')).toMatch(/^ +Wait about .*failure\)\.$/);
    // Later lines of a paragraph hang under its first word.
    for (const l of lines.slice(next + 1, clear)) expect(l).toMatch(/^ {13}\S/);
  });

  it('prints each fix once: the fix that is the next step refers to it', async () => {
    const r = await runCli(['diagnose', '--tpm', 'lab:stale-objects,lockout'], { timeoutMs: 60_000 });
    expect(r.stdout.match(/Wait about/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^ {4}fix: the next step above$/m);
    expect(r.stdout).toMatch(/^ {4}fix: Do not clear a working device/m);
  });

  it('colours the verdict and severities only when asked: FORCE_COLOR on, NO_COLOR off', async () => {
    const forced = await runCli(['diagnose', '--tpm', 'lab:lockout'], {
      timeoutMs: 60_000,
      env: { FORCE_COLOR: '1' },
    });
    expect(forced.stdout).toContain(`${ESC}[31mPROBLEMS FOUND`);
    expect(forced.stdout).toMatch(new RegExp(`${ESC}\\[31mErrors \\(1\\)`));
    const plain = await runCli(['diagnose', '--tpm', 'lab:lockout'], {
      timeoutMs: 60_000,
      env: { NO_COLOR: '1' },
    });
    expect(plain.stdout).not.toContain(ESC);
    const off = await runCli(['diagnose', '--tpm', 'lab:lockout'], {
      timeoutMs: 60_000,
      env: { FORCE_COLOR: '0' },
    });
    expect(off.stdout).not.toContain(ESC);
  });
});

describe('diagnose in Japanese, at 80 columns', () => {
  it('--lang ja: the verdict and the whole next step on the first screen, no line wider than the screen', async () => {
    const r = await runCli(['diagnose', '--tpm', 'lab:stale-objects,lockout', '--lang', 'ja'], {
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(7);
    expect(widest(r.stdout)).toBeLessThanOrEqual(SCREEN.columns);
    const lines = r.stdout.split('\n');
    const firstScreen = lines.slice(0, SCREEN.rows);
    expect(firstScreen.some((l) => /^判定 +問題あり$/.test(l))).toBe(true);
    const next = firstScreen.findIndex((l) => /^次の手順 +待機 {2}\(tpm\.lockout\)$/.test(l));
    expect(next).toBeGreaterThan(0);
    const clear = firstScreen.findIndex((l) => l.startsWith('TPM のクリア'));
    expect(clear).toBeGreaterThan(next + 1);
    expect(firstScreen.slice(next + 1, clear).join('')).toMatch(
      /^ +デバイスの電源を入れたまま、約16分40秒待って/,
    );
    for (const l of lines.slice(next + 1, clear)) expect(l).toMatch(/^ {13}\S/);
    // Each fix once; finding IDs stay as they are.
    expect(r.stdout.match(/約16分40秒待って/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^ {4}対処: 上の「次の手順」を参照$/m);
    expect(r.stdout).toMatch(/^ {2}tpm\.stale-objects {2}/m);
    // No line starts with punctuation that closes a phrase (Japanese line-breaking rules).
    expect(r.stdout).not.toMatch(/^ *[、。）」]/m);
  });

  it('follows LANG=ja_JP.UTF-8; --lang en and --json stay English, with the same exit code', async () => {
    const ja = await runCli(['diagnose', '--tpm', 'lab:lockout'], {
      timeoutMs: 60_000,
      env: { LANG: 'ja_JP.UTF-8' },
    });
    expect(ja.code).toBe(7);
    expect(ja.stdout).toMatch(/^判定 +問題あり$/m);
    const en = await runCli(['diagnose', '--tpm', 'lab:lockout', '--lang', 'en'], {
      timeoutMs: 60_000,
      env: { LANG: 'ja_JP.UTF-8' },
    });
    expect(en.code).toBe(7);
    expect(en.stdout).toMatch(/^Verdict +PROBLEMS FOUND$/m);
    const json = await runCli(['diagnose', '--tpm', 'lab:lockout', '--json', '--lang', 'ja'], {
      timeoutMs: 60_000,
    });
    expect(json.code).toBe(7);
    const report = JSON.parse(json.stdout) as { findings: { id: string; title: string }[] };
    const lockout = report.findings.find((f) => f.id === 'tpm.lockout');
    expect(lockout?.title).toMatch(/^The TPM is locked out/);
    expect(json.stdout).not.toMatch(/[\u3040-\u30ff]/);
  });

  it('clear --dry-run: the gate in Japanese, check IDs and the exit code as in English; JSON stays English', async () => {
    const r = await runCli(['clear', '--tpm', 'lab:lockout', '--dry-run', '--lang', 'ja'], {
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(10);
    expect(widest(r.stdout)).toBeLessThanOrEqual(SCREEN.columns);
    expect(r.stdout).toMatch(/^事前チェック（ゲート）$/m);
    expect(r.stdout).toMatch(/^ {2}不合格 {2}blocker\.lockout {14}TPM は辞書攻撃対策のロックアウト中です。/m);
    expect(r.stdout).toMatch(/^ {2}合格 {4}blocker\.disable-clear /m);
    expect(r.stdout).toMatch(/^ゲート: 拒否（TPM には何も変更を加えていません）$/m);
    const json = await runCli(['clear', '--tpm', 'lab:lockout', '--dry-run', '--json', '--lang', 'ja'], {
      timeoutMs: 60_000,
    });
    expect(json.code).toBe(10);
    const report = JSON.parse(json.stdout) as { gate: { checks: { id: string; message: string }[] } };
    const lockout = report.gate.checks.find((c) => c.id === 'blocker.lockout');
    expect(lockout?.message).toMatch(/^The TPM is in dictionary-attack lockout: about 16 min 40 s remain/);
  });

  it('clear: the run, its proof and what it deletes in Japanese; the exit code as in English', async () => {
    const r = await runCli(
      ['--lang', 'ja', 'clear', '--tpm', 'lab:stale-objects', '--purpose', 'decommission', '--yes'],
      {
        timeoutMs: 90_000,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^実行 clear-\S+: 完了$/m);
    expect(r.stdout).toMatch(/^ {2}ジャーナル {2}\S+\.jsonl$/m);
    expect(r.stdout).toContain('証明: クリアが実行され、必要な結果になったことを確認しました');
    expect(r.stdout).toMatch(/^ {2}合格 {4}srk-name-changed /m);
    // Japanese wraps between any two characters: the inventory is read with its lines joined.
    const joined = r.stdout.replace(/\n +/g, '');
    expect(joined).toContain('[所有者階層]');
    expect(joined).toContain('（32 バイト）');
    const words = r.stdout.replace(/\s+/g, ' ');
    for (const english of [
      'FINISHED',
      'Proof:',
      'journal',
      '[owner hierarchy]',
      'bytes)',
      'unchanged endorsement seed',
    ])
      expect(words).not.toContain(english);
    expect(r.stdout).not.toMatch(/^ {2}pass /m);
  }, 120_000);

  it('refuses a language it does not know, naming the choices', async () => {
    const r = await runCli(['diagnose', '--lang', 'fr'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lang expects ja or en, got "fr"');
  });
});

describe('status at 80 columns', () => {
  it('no line wider than the screen, verbose included', async () => {
    for (const args of [[], ['--verbose']]) {
      const r = await runCli(['status', '--tpm', 'lab:stale-objects', ...args], { timeoutMs: 60_000 });
      expect(r.code).toBe(0);
      expect(widest(r.stdout)).toBeLessThanOrEqual(SCREEN.columns);
    }
  });
});

describe('status in Japanese, at 80 columns', () => {
  it('--lang ja: flags, PCR banks and the EK certificates in Japanese, no line wider than the screen', async () => {
    const r = await runCli(['--lang', 'ja', 'status', '--tpm', 'lab:'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(widest(r.stdout)).toBeLessThanOrEqual(SCREEN.columns);
    expect(r.stdout).toContain('セット: tpmGeneratedEPS、クリア: ');
    expect(r.stdout).toMatch(/^ {2}sha256 +PCR 24 個（0-23）$/m);
    expect(r.stdout).toMatch(/^ {4}サブジェクト {2}CN=/m);
    expect(r.stdout).toMatch(/^ {4}発行者 {8}CN=/m);
    expect(r.stdout).toMatch(/^ {4}有効期間 {6}\S+ から \S+ まで$/m);
    expect(r.stdout).toMatch(/^ {4}EK との一致 {3}はい（永続 EK 0x8101\w+）$/m);
    for (const english of [
      'set:',
      'clear:',
      'PCRs',
      'subject',
      'issuer',
      'valid ',
      'matches EK',
      'persistent EK',
    ])
      expect(r.stdout).not.toContain(english);
  });
});

describe('fleet triage in Japanese', () => {
  it('--lang ja: the lab banner, the target and the progress on stderr in Japanese', async () => {
    // A wide table, so the target is on one line (the width is COLUMNS, else 80 in a pipe).
    const r = await runCli(['--lang', 'ja', 'fleet', 'triage', '--tenant', 'lab', '--no-store'], {
      timeoutMs: 120_000,
      env: { COLUMNS: '160' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('*** ラボ テナント — シミュレートされたデバイス ***');
    expect(r.stdout).toContain('プロセス内のラボ テナント（シミュレートされたデバイス 2000 台、シード 1）');
    expect(r.stdout).not.toMatch(/LAB TENANT|LAB tenant in-process|simulated devices/);
    expect(r.stderr).toMatch(/^トリアージ: 2000 台を取得して分類、/m);
    expect(r.stderr).not.toMatch(/listed|classified|Graph requests/);
  }, 150_000);
});
