#!/usr/bin/env node
// Wall time of `membrane-sandbox` invocations on a seeded store: the figure the MCP server pays per
// tool call. Run after `npm run build`:  node bench/sandbox-latency.mjs [--runs=30] [--json]
// Prints median and p95 per command (goal: median < 150 ms for connection list and action list).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'sandbox', 'cli.js');
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 30;
const asJson = process.argv.includes('--json');

const dir = mkdtempSync(join(tmpdir(), 'sbx-bench-'));
const env = { ...process.env, MEMBRANE_SANDBOX_DB: join(dir, 'sandbox.db') };
delete env.MEMBRANE_SANDBOX_FAULT;
delete env.MEMBRANE_SANDBOX_ARGV_LOG;

function sandbox(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`membrane-sandbox ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

try {
  // First use seeds the store; not part of the figures.
  const connections = JSON.parse(sandbox(['connection', 'list', '--json']).stdout).items;
  const amo = connections.find((c) => c.connectorKey === 'amocrm').id;
  const one = connections.find((c) => c.connectorKey === '1crm').id;

  const cases = [
    ['connection list --json', ['connection', 'list', '--json']],
    ['action list --intent --json (amocrm)', ['action', 'list', `--connectionId=${amo}`, '--intent=create a deal', '--json']],
    ['action list --intent --json (1crm)', ['action', 'list', `--connectionId=${one}`, '--intent=create an account', '--json']],
    ['action run list-leads --json', ['action', 'run', 'list-leads', `--connectionId=${amo}`, '--input={"limit":5}', '--json']],
    ['request GET /api/v4/leads --json', ['request', amo, '/api/v4/leads', '--query', 'limit=5', '--json']],
  ];

  const results = [];
  for (const [name, args] of cases) {
    sandbox(args); // warm the OS file cache
    const times = Array.from({ length: runs }, () => sandbox(args).ms).sort((a, b) => a - b);
    results.push({
      command: name,
      runs,
      medianMs: +percentile(times, 50).toFixed(1),
      p95Ms: +percentile(times, 95).toFixed(1),
      // The fastest run approximates the cost on an idle machine when others share the CPU.
      minMs: +times[0].toFixed(1),
    });
  }

  if (asJson) console.log(JSON.stringify({ bench: 'sandbox-latency', results }, null, 2));
  else {
    console.log(`membrane-sandbox latency, ${runs} sequential runs each (node ${process.version}, load ${loadavg()[0].toFixed(2)})`);
    for (const r of results) {
      const cell = (label, v) => `${label} ${String(v).padStart(6)} ms`;
      console.log(`${r.command.padEnd(40)} ${cell('median', r.medianMs)}   ${cell('p95', r.p95Ms)}   ${cell('min', r.minMs)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
