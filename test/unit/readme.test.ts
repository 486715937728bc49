// The README's tool, configuration and error tables are generated from the code; this fails when they drift.
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/sandbox.js';

it('README tables match the code (npm run docs regenerates them)', async () => {
  const r = await execa(process.execPath, ['scripts/gen-docs.mjs', '--check'], { cwd: ROOT, reject: false });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
});
