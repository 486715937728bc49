// `npm run bench` is not a test; this only checks that one quick iteration runs and writes valid JSON.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, tempDb } from '../helpers/sandbox.js';

const dir = tempDb('bench-');
afterAll(() => dir.cleanup());

it('bench/run.mjs --quick runs and writes its results as JSON', { timeout: 180_000 }, async () => {
  const out = join(dir.dir, 'results.json');
  const r = await execa(process.execPath, ['bench/run.mjs', '--quick', '--out', out], { cwd: ROOT, reject: false, timeout: 170_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  const results = JSON.parse(readFileSync(out, 'utf8'));
  for (const key of [
    'machine',
    'coldStart',
    'latency',
    'throughput',
    'sizes',
    'cache',
    'sandbox',
    'search',
    'http',
    'agentTasks',
    'replicas',
    'backends',
  ])
    expect(results).toHaveProperty(key);
  // Every scripted task ran and the sandbox store confirms it.
  expect(results.agentTasks.after.totals.tasks).toBeGreaterThanOrEqual(6);
  expect(results.agentTasks.after.totals.verified).toBe(results.agentTasks.after.totals.tasks);
  for (const tool of ['list_connections', 'search_actions', 'create_action', 'run_action', 'proxy_request'])
    expect(Object.keys(results.backends.perTool[tool]).sort()).toEqual([
      'bare sandbox API',
      'bare sandbox CLI',
      'sandbox-api',
      'sandbox-cli',
    ]);
  expect(Object.keys(results.backends.coldStart).sort()).toEqual(['in-process', 'sandbox-api', 'sandbox-cli']);
  expect(results.latency).toHaveLength(5);
  expect(results.sizes.toolsList.tools).toBe(10);
});
