#!/usr/bin/env node
// npm run bench: everything measured in one run on this machine, printed as a table and written to
// bench/results.json. `--quick` does one iteration of each (the smoke run in npm test).
//
//   cold start            spawn → initialize answered → tools/list answered (median of N)
//   per-call latency      each tool through the server vs the same membrane-sandbox command run directly
//   throughput            calls/s with 1, 4 and 16 calls in flight, and the server's peak RSS
//   sizes                 tools/list and a typical result of each tool (bytes, ~tokens = chars / 4)
//   cards vs raw          search_actions "create a lead" (limit 5) vs the raw CLI output of the same search
//   cache                 with and without the connection/metadata cache
//   sandbox               the sandbox's own per-invocation latency
//   search                search_actions for intents with and without a fitting action: what the agent
//                         reads (chars), strong/weak cards, whether it is told there is no strong match
//   agent tasks           multi-step tasks on both CRMs played as a scripted agent (bench/agent-tasks.mjs):
//                         calls and characters read per task, each checked against the sandbox store;
//                         `--before-root <dir>` runs the same script on another built checkout (the server
//                         before a change) for comparison
//   replicas              HTTP calls that touch shared state: one replica in memory, one on Redis, two on
//                         Redis behind a round-robin client (bench/replicas.mjs; needs redis-server)
//   backends              sandbox-api vs sandbox-cli vs the bare sandbox per tool, throughput, cold start, RSS
//                         (bench/backends.mjs)
// The sections above `backends` run the server as users get it with --sandbox: on sandbox-api.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { agentTasks } from './agent-tasks.mjs';
import { replicasBench } from './replicas.mjs';
import { backendsBench, backendsTables } from './backends.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'dist', 'index.js');
const SANDBOX = join(ROOT, 'dist', 'sandbox', 'cli.js');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench', 'results.json') },
    iterations: { type: 'string' },
    'before-root': { type: 'string' },
  },
});
const QUICK = opts.quick;
const N = Number(opts.iterations ?? (QUICK ? 1 : 20));
const COLD_N = QUICK ? 1 : 10;

const workDir = mkdtempSync(join(tmpdir(), 'membrane-bench-'));
const DB = join(workDir, 'sandbox.db');
const baseEnv = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  MEMBRANE_SANDBOX_DB: DB,
  MEMBRANE_SANDBOX_BUILD_MS: '0',
  MEMBRANE_CRM_SANDBOX: '1',
  MEMBRANE_CRM_LOG_LEVEL: 'warning',
};

// ---------- helpers ----------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const p95 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] : NaN;
};
const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const tokens = (chars) => Math.round(chars / 4);

/** Runs `membrane-sandbox <args>` directly; resolves with {ms, stdout, code}. */
function direct(args) {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [SANDBOX, ...args], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ ms: performance.now() - started, stdout, code }));
  });
}

/** Client options of a protocol era: the SDK client speaks 2025 by default; a pin makes it speak 2026-07-28. */
const eraOptions = (era) => (era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});

async function startServer(args = [], env = {}, era = 'legacy') {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER, ...args],
    env: { ...baseEnv, ...env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', () => undefined);
  const client = new Client({ name: 'bench', version: '1' }, eraOptions(era));
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

function callTool(client, name, args) {
  return client.callTool({ name, arguments: args }, { timeout: 120_000 });
}

function assertOk(result, what) {
  if (result.isError) throw new Error(`${what} failed: ${result.content?.[0]?.text}`);
  return result;
}

/** Peak resident set (VmHWM) of a process, in MB, from /proc (Linux only). */
function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024) : null;
  } catch {
    return null;
  }
}

// ---------- the measurements ----------
const results = {
  machine: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model },
  iterations: N,
  startedAt: new Date().toISOString(),
};

async function seed() {
  const r = await direct(['connection', 'list', '--json']);
  const items = JSON.parse(r.stdout).items;
  return {
    amocrm: items.find((c) => c.connectorKey === 'amocrm').id,
    onecrm: items.find((c) => c.connectorKey === '1crm').id,
  };
}

async function coldStart() {
  const spawnToInit = [];
  const spawnToList = [];
  for (let i = 0; i < COLD_N; i++) {
    const started = performance.now();
    const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER], env: baseEnv, stderr: 'pipe' });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'bench-cold', version: '1' });
    await client.connect(transport);
    spawnToInit.push(performance.now() - started);
    await client.listTools();
    spawnToList.push(performance.now() - started);
    await client.close();
  }
  return { initializeMs: round(median(spawnToInit)), toolsListMs: round(median(spawnToList)), samples: COLD_N };
}

async function latency(ids) {
  // Each case: the tool call through the server, and the same CLI command(s) run directly.
  const cases = [
    { tool: 'amocrm_list_connections', args: { refresh: true }, direct: [['connection', 'list', '--json']] },
    {
      tool: 'amocrm_search_actions',
      args: { intent: 'create a lead', limit: 5 },
      direct: [['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=create a lead', '--limit=5', '--json']],
    },
    {
      tool: 'amocrm_run_action',
      args: { actionId: 'list-leads', input: { limit: 5 } },
      direct: [['action', 'run', 'list-leads', `--connectionId=${ids.amocrm}`, '--input={"limit":5}', '--json']],
    },
    {
      tool: 'amocrm_proxy_request',
      args: { path: '/api/v4/leads', query: { limit: 5 } },
      direct: [['request', ids.amocrm, '/api/v4/leads', '--method=GET', '--query=limit=5', '--json']],
    },
    {
      tool: 'amocrm_create_action',
      args: { description: 'list the sales pipelines', waitSeconds: 10 },
      direct: [
        ['action', 'create', `--connectionId=${ids.amocrm}`, '--json', '--', 'list the sales pipelines'],
        ['action', 'get', '<id>', `--connectionId=${ids.amocrm}`, '--wait', '--timeout=10', '--json'],
      ],
    },
  ];
  const server = await startServer();
  const rows = [];
  try {
    // Warm the server's caches the way a session does (connection list, action metadata).
    assertOk(await callTool(server.client, 'amocrm_search_actions', { intent: 'list leads', limit: 5 }), 'warm-up');
    for (const c of cases) {
      const viaServer = [];
      const viaCli = [];
      for (let i = 0; i < N; i++) {
        const t = await timed(() => callTool(server.client, c.tool, c.args));
        assertOk(t.value, c.tool);
        viaServer.push(t.ms);
        let total = 0;
        let created;
        for (const argv of c.direct) {
          // The same protocol as the server: `action get --wait` only while the new action is BUILDING.
          if (argv.includes('<id>') && created?.state !== 'BUILDING') continue;
          const r = await direct(argv.map((a) => (a === '<id>' ? created.id : a)));
          if (r.code !== 0) throw new Error(`direct ${argv.slice(0, 2).join(' ')} exited ${r.code}`);
          if (argv[1] === 'create') created = JSON.parse(r.stdout);
          total += r.ms;
        }
        viaCli.push(total);
      }
      rows.push({
        tool: c.tool,
        cliCalls: c.tool.endsWith('create_action') ? 'create (+get while BUILDING)' : c.direct.length,
        serverMedianMs: round(median(viaServer)),
        serverP95Ms: round(p95(viaServer)),
        directMedianMs: round(median(viaCli)),
        directP95Ms: round(p95(viaCli)),
        overhead: round(median(viaServer) / median(viaCli), 2),
      });
    }
  } finally {
    await server.close();
  }
  return rows;
}

async function throughput() {
  const server = await startServer();
  const rows = [];
  try {
    assertOk(await callTool(server.client, 'amocrm_search_actions', { intent: 'list leads', limit: 5 }), 'warm-up');
    for (const inFlight of [1, 4, 16]) {
      const total = QUICK ? inFlight : Math.max(32, inFlight * 4);
      let next = 0;
      const started = performance.now();
      const worker = async () => {
        while (next < total) {
          next++;
          assertOk(await callTool(server.client, 'amocrm_run_action', { actionId: 'list-leads', input: { limit: 5 } }), 'throughput');
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      const seconds = (performance.now() - started) / 1000;
      rows.push({ inFlight, calls: total, callsPerSecond: round(total / seconds), seconds: round(seconds, 2) });
    }
    return { rows, serverPeakRssMb: peakRssMb(server.transport.pid) };
  } finally {
    await server.close();
  }
}

async function sizes(ids) {
  const server = await startServer();
  try {
    const list = await server.client.listTools();
    const toolsList = JSON.stringify(list);
    const typical = {
      list_connections: await callTool(server.client, 'amocrm_list_connections', {}),
      search_actions: await callTool(server.client, 'amocrm_search_actions', { intent: 'create a lead', limit: 5 }),
      create_action: await callTool(server.client, 'amocrm_create_action', { description: 'list the sales pipelines', waitSeconds: 10 }),
      run_action: await callTool(server.client, 'amocrm_run_action', { actionId: 'list-leads', input: { limit: 5 } }),
      proxy_request: await callTool(server.client, 'amocrm_proxy_request', { path: '/api/v4/leads', query: { limit: 5 } }),
    };
    const results = {};
    for (const [k, r] of Object.entries(typical)) {
      assertOk(r, k);
      const chars = r.content[0].text.length;
      results[k] = { textChars: chars, approxTokens: tokens(chars), wireBytes: Buffer.byteLength(JSON.stringify(r)) };
    }
    const raw = await direct(['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=create a lead', '--limit=5', '--json']);
    const cards = typical.search_actions.content[0].text.length;
    // Compared with the CLI's JSON re-serialised without indentation, so whitespace does not flatter the ratio.
    const rawCompact = JSON.stringify(JSON.parse(raw.stdout)).length;
    return {
      toolsList: { tools: list.tools.length, bytes: Buffer.byteLength(toolsList), approxTokens: tokens(toolsList.length) },
      results,
      cardsVsRaw: {
        searchActionsChars: cards,
        rawCliChars: raw.stdout.length,
        rawCliCompactChars: rawCompact,
        ratio: round(cards / rawCompact, 3),
      },
    };
  } finally {
    await server.close();
  }
}

async function cacheEffect(leadId) {
  const out = {};
  for (const [label, args] of [
    ['cache', []],
    ['noCache', ['--no-cache']],
  ]) {
    const server = await startServer(args);
    try {
      assertOk(await callTool(server.client, 'amocrm_list_connections', {}), 'warm-up');
      const conn = [];
      const run = [];
      for (let i = 0; i < N; i++) {
        conn.push((await timed(() => callTool(server.client, 'amocrm_list_connections', {}))).ms);
        const t = await timed(() => callTool(server.client, 'amocrm_run_action', { actionId: 'get-lead', input: { id: leadId } }));
        assertOk(t.value, 'get-lead');
        run.push(t.ms);
      }
      out[label] = { listConnectionsMedianMs: round(median(conn)), runActionMedianMs: round(median(run)) };
    } finally {
      await server.close();
    }
  }
  return out;
}

async function sandboxLatency(ids) {
  const commands = {
    'connection list': ['connection', 'list', '--json'],
    'action list --intent': ['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=create a deal', '--limit=5', '--json'],
    'action run list-leads': ['action', 'run', 'list-leads', `--connectionId=${ids.amocrm}`, '--input={"limit":5}', '--json'],
  };
  const out = {};
  for (const [name, argv] of Object.entries(commands)) {
    const times = [];
    for (let i = 0; i < Math.max(N, QUICK ? 1 : 30); i++) times.push((await direct(argv)).ms);
    out[name] = { medianMs: round(median(times)), p95Ms: round(p95(times)) };
  }
  return out;
}

/**
 * What an agent reads from search_actions (default limit) for intents with a fitting action (English,
 * Russian, a typo) and without one: chars, cards by match, and whether the result says "no strong match".
 * The accuracy over the labelled set is test/sandbox/intent-eval.test.ts.
 */
async function searchQuality() {
  const intents = [
    ['amocrm', 'create a lead', 'fits'],
    ['amocrm', 'создать сделку', 'fits'],
    ['amocrm', 'закрыть задачу', 'fits'],
    ['onecrm', 'delet contcat', 'fits'],
    ['amocrm', 'send an email to the client', 'none'],
    ['amocrm', "what's the weather in Moscow", 'none'],
    ['onecrm', 'export all deals to Excel', 'none'],
  ];
  const server = await startServer();
  try {
    const rows = [];
    for (const [prefix, intent, expected] of intents) {
      const times = [];
      let last;
      for (let i = 0; i < Math.max(1, Math.min(N, 5)); i++) {
        const t = await timed(() => callTool(server.client, `${prefix}_search_actions`, { intent }));
        assertOk(t.value, `search "${intent}"`);
        times.push(t.ms);
        last = t.value;
      }
      const body = last.structuredContent;
      const count = (m) => body.actions.filter((a) => a.match === m).length;
      rows.push({
        connector: prefix,
        intent,
        expected,
        first: body.actions[0]?.key ?? '-',
        strong: count('strong'),
        weak: count('weak'),
        saysNoStrongMatch: /^No (strong match|action matches)/.test(body.nextStep ?? ''),
        chars: last.content[0].text.length,
        medianMs: round(median(times)),
      });
    }
    return rows;
  } finally {
    await server.close();
  }
}

/**
 * The scripted agent tasks on this build and, with --before-root, on another built checkout. Without it, the
 * "before" figures of an earlier run written to the same --out file are kept, saying when they were measured.
 */
async function agentTaskFigures() {
  const after = { ...(await agentTasks({ root: ROOT, label: 'this build' })), measuredAt: new Date().toISOString() };
  if (opts['before-root']) {
    const before = await agentTasks({ root: resolve(opts['before-root']), label: `before (${opts['before-root']})` });
    return { after, before: { ...before, measuredAt: new Date().toISOString() } };
  }
  try {
    const previous = JSON.parse(readFileSync(opts.out, 'utf8')).agentTasks?.before;
    if (previous) return { after, before: { ...previous, keptFromEarlierRun: true } };
  } catch {
    // no earlier results: nothing to compare with
  }
  return { after, before: null };
}

// ---------- run and report ----------
/** --http: spawn → listening, and run_action latency (2025 and 2026 clients) and throughput over Streamable HTTP vs stdio. */
async function httpTransport() {
  const started = performance.now();
  const child = spawn(process.execPath, [SERVER, '--http=0'], { env: baseEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolveUrl, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /membrane-crm-mcp \S+ listening on (http:\/\/\S+)/.exec(err);
      if (m) resolveUrl(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`--http server exited ${code}: ${err}`)));
  });
  const listeningMs = performance.now() - started;
  const connect = async (era = 'legacy') => {
    const client = new Client({ name: 'bench-http', version: '1' }, eraOptions(era));
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    return client;
  };
  const stdio = await startServer();
  const stdioModern = await startServer([], {}, 'modern');
  const clients = await Promise.all([1, 2, 3, 4].map(() => connect()));
  const modern = await connect('modern');
  const call = (client) => callTool(client, 'amocrm_run_action', { actionId: 'list-leads', input: { limit: 5 } });
  try {
    for (const c of [clients[0], modern, stdio.client, stdioModern.client]) assertOk(await call(c), 'warm-up');
    const overHttp = [];
    const overHttpModern = [];
    const overStdio = [];
    const overStdioModern = [];
    for (let i = 0; i < N; i++) {
      overHttp.push((await timed(async () => assertOk(await call(clients[0]), 'http run'))).ms);
      overHttpModern.push((await timed(async () => assertOk(await call(modern), 'http 2026 run'))).ms);
      overStdio.push((await timed(async () => assertOk(await call(stdio.client), 'stdio run'))).ms);
      overStdioModern.push((await timed(async () => assertOk(await call(stdioModern.client), 'stdio 2026 run'))).ms);
    }
    const total = QUICK ? 4 : 32;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        while (next < total) {
          next++;
          assertOk(await call(client), 'http throughput');
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return {
      spawnToListeningMs: round(listeningMs),
      runActionMedianMs: {
        http: round(median(overHttp)),
        http2026: round(median(overHttpModern)),
        stdio: round(median(overStdio)),
        stdio2026: round(median(overStdioModern)),
      },
      fourClients: { calls: total, callsPerSecond: round(total / seconds) },
      serverPeakRssMb: peakRssMb(child.pid),
    };
  } finally {
    await Promise.all([...clients, modern].map((c) => c.close()));
    await stdio.close();
    await stdioModern.close();
    child.kill('SIGTERM');
  }
}

function table(title, rows) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  console.log(`\n${title}`);
  console.log(cols.map((c, i) => c.padEnd(width[i])).join('  '));
  console.log(width.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(cols.map((c, i) => String(r[c] ?? '').padEnd(width[i])).join('  '));
}

try {
  const ids = await seed();
  results.coldStart = await coldStart();
  results.latency = await latency(ids);
  results.throughput = await throughput();
  results.sizes = await sizes(ids);
  const firstLead = await direct(['request', ids.amocrm, '/api/v4/leads', '--method=GET', '--query=limit=1', '--json']);
  results.cache = await cacheEffect(JSON.parse(firstLead.stdout).body._embedded.leads[0].id);
  results.sandbox = await sandboxLatency(ids);
  results.search = await searchQuality();
  results.http = await httpTransport();
  results.agentTasks = await agentTaskFigures();
  results.replicas = await replicasBench({ server: SERVER, sandbox: SANDBOX, quick: QUICK, iterations: N });
  results.backends = await backendsBench({ root: ROOT, quick: QUICK, iterations: N });
  results.finishedAt = new Date().toISOString();

  console.log(`membrane-crm-mcp bench — ${results.machine.node}, ${results.machine.cpus} cpus, ${N} iterations${QUICK ? ' (quick)' : ''}`);
  table('Cold start (median ms)', [
    {
      'spawn→initialize': results.coldStart.initializeMs,
      'spawn→tools/list': results.coldStart.toolsListMs,
      samples: results.coldStart.samples,
    },
  ]);
  table('Per-call latency: server vs the same CLI command(s) run directly (ms)', results.latency);
  table('Throughput (run_action list-leads)', results.throughput.rows);
  console.log(`server peak RSS: ${results.throughput.serverPeakRssMb ?? 'n/a'} MB`);
  table('Sizes (text the agent reads)', [
    { what: 'tools/list', chars: results.sizes.toolsList.bytes, approxTokens: results.sizes.toolsList.approxTokens },
    ...Object.entries(results.sizes.results).map(([k, v]) => ({ what: `${k} result`, chars: v.textChars, approxTokens: v.approxTokens })),
  ]);
  const cv = results.sizes.cardsVsRaw;
  console.log(
    `search_actions "create a lead" (limit 5): ${cv.searchActionsChars} chars vs the raw CLI output ${cv.rawCliCompactChars} chars compact (${cv.rawCliChars} as printed) → ratio ${cv.ratio} (goal ≤ 0.333)`,
  );
  table(
    'Cache effect (median ms)',
    Object.entries(results.cache).map(([k, v]) => ({ mode: k, ...v })),
  );
  table(
    'Sandbox per invocation (ms)',
    Object.entries(results.sandbox).map(([k, v]) => ({ command: k, ...v })),
  );
  table('search_actions: what the agent reads, with and without a fitting action', results.search);
  const h = results.http;
  table('Streamable HTTP (--http)', [
    {
      'spawn→listening ms': h.spawnToListeningMs,
      'run_action http ms (2025 / 2026)': `${h.runActionMedianMs.http} / ${h.runActionMedianMs.http2026}`,
      'run_action stdio ms (2025 / 2026)': `${h.runActionMedianMs.stdio} / ${h.runActionMedianMs.stdio2026}`,
      '4 clients calls/s': h.fourClients.callsPerSecond,
      'peak RSS MB': h.serverPeakRssMb ?? 'n/a',
    },
  ]);

  const { after, before } = results.agentTasks;
  const beforeOf = (task) => before?.tasks.find((t) => t.task === task);
  table(
    `Scripted agent tasks: calls and characters read, this build${before ? ` vs ${before.label}${before.keptFromEarlierRun ? ` (kept from ${before.measuredAt})` : ''}` : ' (run with --before-root <built checkout> to compare)'}`,
    [...after.tasks, { task: 'total', crm: '', ...after.totals }].map((t) => ({
      task: t.task,
      crm: t.crm,
      calls: t.calls,
      chars: t.charsRead,
      ...(before ? { 'calls before': (t.task === 'total' ? before.totals : beforeOf(t.task))?.calls ?? '-' } : {}),
      ...(before ? { 'chars before': (t.task === 'total' ? before.totals : beforeOf(t.task))?.charsRead ?? '-' } : {}),
      verified: t.task === 'total' ? `${after.totals.verified}/${after.totals.tasks}` : t.verified,
      ...(before
        ? {
            'verified before':
              t.task === 'total' ? `${before.totals.verified}/${before.totals.tasks}` : (beforeOf(t.task)?.verified ?? '-'),
          }
        : {}),
    })),
  );

  const rep = results.replicas;
  table(`Hosting: replicas sharing state (run_action over HTTP, ${rep.runs} sequential calls each)`, rep.rows);
  console.log(
    `Redis hop (p50 vs memory): page ${rep.redisHopP50Ms.page} ms, write ${rep.redisHopP50Ms.write} ms; two replicas: page ${rep.redisHopP50Ms.pageTwoReplicas} ms, write ${rep.redisHopP50Ms.writeTwoReplicas} ms (target ≤ ${rep.redisHopP50Ms.targetMs} ms); load average ${rep.loadAverage.atStart.join(' ')} → ${rep.loadAverage.atEnd.join(' ')}`,
  );

  for (const [title, rows] of backendsTables(results.backends)) table(title, rows);

  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${opts.out}`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
