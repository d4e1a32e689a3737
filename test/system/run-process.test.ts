import { describe, expect, it } from 'vitest';
import { liveProcessIds } from '../../src/system/live-processes.js';
import { taskkillPath } from '../../src/system/process-tree.js';
import { runProcess } from '../../src/system/run-process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

describe('runProcess', () => {
  it('runs a program with an argument vector, no shell, and keeps its output as text', async () => {
    const r = await runProcess(process.execPath, [
      '-e',
      'process.stdout.write(process.argv[1]); process.stderr.write("日本"); process.exit(3)',
      "a 'quoted' $HOME; arg",
    ]);
    expect(r).toEqual({ exitCode: 3, stdout: "a 'quoted' $HOME; arg", stderr: '日本', timedOut: false });
  });

  it('rejects when the program cannot be started', async () => {
    await expect(runProcess('/nonexistent/program', [])).rejects.toThrow(/ENOENT/);
    expect(liveProcessIds()).toEqual([]);
  });

  it('a timeout ends the whole process tree, not just the child', async () => {
    const started = Date.now();
    // The shell starts a grandchild and prints its PID; killing only the shell would leave it running.
    const r = await runProcess('/bin/sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(5_000);
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(await gone(grandchild)).toBe(true);
  });

  it('stops a process whose output passes the cap, keeping what came before', async () => {
    const r = await runProcess('/bin/sh', ['-c', 'while :; do echo 0123456789; done'], {
      maxOutputBytes: 4096,
      timeoutMs: 10_000,
    });
    expect(r.outputCapped).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBeNull();
    expect(r.stdout.length).toBeLessThanOrEqual(4096);
    expect(r.stdout.startsWith('0123456789\n')).toBe(true);
  });

  it('tracks the PID while the process runs, and forgets it once it has exited', async () => {
    const running = runProcess(process.execPath, ['-e', 'setTimeout(() => {}, 300)']);
    await new Promise((r) => setTimeout(r, 100));
    const [pid] = liveProcessIds();
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid!)).toBe(true);
    await running;
    expect(liveProcessIds()).toEqual([]);
  });
});

describe('ending a tree on Windows', () => {
  it('runs taskkill by its full System32 path, never from PATH', () => {
    const before = process.env.SystemRoot;
    process.env.SystemRoot = 'D:\\Win';
    try {
      expect(taskkillPath()).toBe('D:\\Win\\System32\\taskkill.exe');
    } finally {
      if (before === undefined) delete process.env.SystemRoot;
      else process.env.SystemRoot = before;
    }
  });
});
