import { createInterface } from 'node:readline';
import { UsageError } from './usage-error.js';

/** Typed confirmation on a terminal; without one, --yes is required (no silent destruction). */
export async function confirmClear(): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no terminal to confirm on: pass --yes to clear without a typed confirmation',
      'clear',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) =>
      rl.question('\nThis deletes the keys listed above. Type CLEAR to continue: ', resolve),
    );
    return answer.trim() === 'CLEAR';
  } finally {
    rl.close();
  }
}
