/**
 * Start-up is part of the product (docs/benchmarks.md): the console's server is a chunk of its own
 * (rolldown.config.mjs), which only `tpm-doctor console` loads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/console/http-response.js';
import { loadedFiles, ROOT, useBuiltCli } from '../cli/cli-support.js';

useBuiltCli();

describe('the console chunk', () => {
  it('holds the server; the core does not', () => {
    const core = readFileSync(path.join(ROOT, 'dist', 'cli.cjs'), 'utf8');
    const chunk = readFileSync(path.join(ROOT, 'dist', 'chunks', 'web-console.cjs'), 'utf8');
    expect(chunk).toContain(CONTENT_SECURITY_POLICY);
    expect(core).not.toContain(CONTENT_SECURITY_POLICY);
    expect(core).not.toContain('require("node:http")');
  });

  it('status never loads it; console does', async () => {
    expect(await loadedFiles(['status', '--help'])).not.toContain('chunks/web-console.cjs');
    expect(await loadedFiles(['console', '--help'])).toContain('chunks/web-console.cjs');
  });
});
