#!/usr/bin/env node
// The sandbox's REST API on its own (`membrane-sandbox serve`, built): spawn → start-up line, and per
// call latency through the official SDK on a fresh seeded store (median and p95 of sequential calls),
// throughput with 16 calls in flight, the server's peak RSS. Run `npm run build` first.
//   node bench/sandbox-api-latency.mjs [--runs=N] [--json]
import { MembraneClient } from '@membranehq/sdk';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SANDBOX = join(ROOT, 'dist', 'sandbox', 'cli.js');
const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
const RUNS = Number(opts.runs);
const STARTS = 10;

const dir = mkdtempSync(join(tmpdir(), 'sandbox-api-bench-'));
const env = { ...process.env, MEMBRANE_SANDBOX_DB: join(dir, 'sandbox.db'), MEMBRANE_SANDBOX_BUILD_MS: '0', MEMBRANE_SANDBOX_FAULT: '' };

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))];
};
const round = (x) => Math.round(x * 100) / 100;

async function startServe() {
  const started = performance.now();
  const child = spawn(process.execPath, [SANDBOX, 'serve'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { child, ms: performance.now() - started, ...JSON.parse(line) };
}

async function stopServe(child) {
  const exited = once(child, 'exit');
  child.stdin.end();
  await exited;
}

function timeProcess(args) {
  return new Promise((done) => {
    const started = performance.now();
    spawn(process.execPath, args, { env, stdio: 'ignore' }).on('exit', () => done(performance.now() - started));
  });
}

// Seed the store once, so start-up times measure a seeded store.
await stopServe((await startServe()).child);

const startup = { serve: [], node: [], status: [] };
for (let i = 0; i < STARTS; i++) {
  startup.node.push(await timeProcess(['-e', '']));
  startup.status.push(await timeProcess([SANDBOX, 'status', '--json']));
  const s = await startServe();
  startup.serve.push(s.ms);
  await stopServe(s.child);
}

const api = await startServe();
const sdk = new MembraneClient({ apiUri: api.apiUri, token: api.accessToken });
const { items: connections } = await sdk.connections.find({});
const amo = connections.find((c) => c.integration.key === 'amocrm').id;
const one = connections.find((c) => c.integration.key === '1crm').id;

const calls = {
  'connections.find': () => sdk.connections.find({}),
  'actions.find (intent)': () => sdk.actions.find({ connectionId: amo, intent: 'create a lead', limit: 5 }),
  '/act list-leads (read)': () => sdk.post('/act', { key: 'list-leads', connectionId: amo, input: { limit: 5 } }),
  '/act list-accounts (read)': () => sdk.post('/act', { key: 'list-accounts', connectionId: one, input: { limit: 5 } }),
  '/act create-task (write)': (i) =>
    sdk.post('/act', { key: 'create-task', connectionId: amo, input: { text: `Bench task ${i}`, complete_till: 1767600000 } }),
  'proxy GET /api/v4/leads': () => sdk.connection(amo).proxy.get('/api/v4/leads?limit=5'),
};

const latency = {};
for (const [name, call] of Object.entries(calls)) {
  for (let i = 0; i < 20; i++) await call(i);
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await call(i);
    ms.push(performance.now() - t);
  }
  latency[name] = { p50: round(quantile(ms, 0.5)), p95: round(quantile(ms, 0.95)) };
}

const throughput = {};
for (const inFlight of [1, 4, 16]) {
  const total = RUNS * 2;
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < total) await calls['/act list-leads (read)']();
    }),
  );
  throughput[`${inFlight} in flight`] = Math.round(total / ((performance.now() - t) / 1000));
}

const status = readFileSync(`/proc/${api.child.pid}/status`, 'utf8');
const peakRssMb = Math.round(Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? NaN) / 1024);
await stopServe(api.child);
rmSync(dir, { recursive: true, force: true });

const result = {
  runs: RUNS,
  startupMs: Object.fromEntries(Object.entries(startup).map(([k, v]) => [k, { p50: round(quantile(v, 0.5)), min: round(Math.min(...v)) }])),
  latencyMs: latency,
  actCallsPerSecond: throughput,
  servePeakRssMb: peakRssMb,
};
if (opts.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(
    `spawn → line (serve) p50 ${result.startupMs.serve.p50} ms; node -e '' ${result.startupMs.node.p50} ms; status ${result.startupMs.status.p50} ms`,
  );
  for (const [name, v] of Object.entries(latency))
    console.log(`${name.padEnd(28)} p50 ${String(v.p50).padStart(6)} ms   p95 ${String(v.p95).padStart(6)} ms`);
  console.log(
    `/act list-leads calls/s: ${Object.entries(throughput)
      .map(([k, v]) => `${v} (${k})`)
      .join(', ')}`,
  );
  console.log(`serve peak RSS ${peakRssMb} MB`);
}
