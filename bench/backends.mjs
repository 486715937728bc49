// The backends side by side (called from bench/run.mjs): the same five tools through the server on sandbox-api (the
// embedded default: the sandbox's REST API in a child process) and on sandbox-cli (a sandbox CLI process per call),
// next to the bare sandbox — its CLI run directly, and its REST API called directly through the official SDK (what
// the server adds on top is the difference). Then throughput at 1, 4 and 16 calls in flight, cold start (spawn →
// tools/list answered, and → first tool call answered), and peak RSS of the server and of the sandbox child apart;
// the in-process alternative (bench/in-process-server.mjs: sandbox API and server in one process) for comparison.
// Every backend gets its own fresh store, so one's writes do not slow another's reads. The load average is recorded:
// the machine is shared.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))] : NaN;
};
const round = (x, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const stats = (ms) => ({ p50: round(quantile(ms, 0.5), 2), p95: round(quantile(ms, 0.95), 2), n: ms.length });

/** Peak resident set (VmHWM) of a live process in MB, from /proc. */
function peakRssMb(pid) {
  try {
    const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/** The direct children of a process (Linux). */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * V8 defers major GCs while the heap is far below its limit, so under sustained load the server's RSS keeps
 * growing with garbage (its live heap stays about 30 MB). These flags, which the README suggests through
 * NODE_OPTIONS, bound it; this mode measures what they cost.
 */
const SMALL_HEAP_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=4'];
const SMALL_HEAP_MODE = 'sandbox-api, small heap';

export async function backendsBench({ root, quick, iterations }) {
  const SERVER = join(root, 'dist', 'index.js');
  const SANDBOX = join(root, 'dist', 'sandbox', 'cli.js');
  const IN_PROCESS = join(root, 'bench', 'in-process-server.mjs');
  // The API answers in milliseconds: more samples for it, within the same wall time.
  const N = { api: quick ? 2 : Math.max(iterations, 100), cli: quick ? 1 : iterations };
  const COLD_N = quick ? 1 : 10;
  const work = mkdtempSync(join(tmpdir(), 'membrane-bench-backends-'));
  const loadBefore = loadavg().map((x) => round(x, 2));

  const envFor = (db) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    MEMBRANE_SANDBOX_DB: join(work, db),
    MEMBRANE_SANDBOX_BUILD_MS: '0',
    MEMBRANE_CRM_SANDBOX: '1',
    MEMBRANE_CRM_LOG_LEVEL: 'warning',
  });

  /** The server (or the in-process script) over stdio; `pid` is the process the client spawned. */
  async function startServer(mode, db, extraArgs = []) {
    const script = mode === 'in-process' ? IN_PROCESS : SERVER;
    const nodeFlags = mode === SMALL_HEAP_MODE ? SMALL_HEAP_FLAGS : [];
    const args = [...nodeFlags, script, ...(mode === 'sandbox-cli' ? ['--backend=cli'] : []), ...extraArgs];
    const started = performance.now();
    const transport = new StdioClientTransport({ command: process.execPath, args, env: envFor(db), stderr: 'pipe' });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'bench-backends', version: '1' });
    await client.connect(transport);
    await client.listTools();
    const toolsListMs = performance.now() - started;
    return { client, pid: transport.pid, toolsListMs, started, close: () => client.close() };
  }

  const call = async (client, name, args) => {
    const r = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
    if (r.isError) throw new Error(`${name} failed: ${r.content?.[0]?.text}`);
    return r;
  };

  /** `membrane-sandbox <args>` run directly, as the sandbox-cli backend runs it: wall time and stdout. */
  const direct = (db, args) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [SANDBOX, ...args], { env: envFor(db), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`membrane-sandbox ${args.slice(0, 2).join(' ')} exited ${r.status}: ${r.stderr}`);
    return { ms: performance.now() - t, stdout: r.stdout };
  };

  const ids = (db) => {
    const items = JSON.parse(direct(db, ['connection', 'list', '--json']).stdout).items;
    return { amocrm: items.find((c) => c.connectorKey === 'amocrm').id };
  };

  const TOOLS = [
    ['list_connections', 'amocrm_list_connections', () => ({ refresh: true })],
    ['search_actions', 'amocrm_search_actions', () => ({ intent: 'create a lead', limit: 5 })],
    [
      'create_action',
      'amocrm_create_action',
      (i) => ({ description: `list the sales pipelines ${i % 2 ? 'now' : 'today'}`, waitSeconds: 10 }),
    ],
    ['run_action', 'amocrm_run_action', () => ({ actionId: 'list-leads', input: { limit: 5 } })],
    ['proxy_request', 'amocrm_proxy_request', () => ({ path: '/api/v4/leads', query: { limit: 5 } })],
  ];

  // ---------- per tool ----------
  const perTool = Object.fromEntries(TOOLS.map(([tool]) => [tool, {}]));
  for (const mode of ['sandbox-api', 'sandbox-cli']) {
    const server = await startServer(mode, `${mode}.db`);
    try {
      await call(server.client, 'amocrm_search_actions', { intent: 'list leads', limit: 5 }); // the child, the SDK, the caches
      const n = mode === 'sandbox-api' ? N.api : N.cli;
      for (const [tool, name, args] of TOOLS) {
        await call(server.client, name, args(0));
        const ms = [];
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          await call(server.client, name, args(i));
          ms.push(performance.now() - t);
        }
        perTool[tool][mode] = stats(ms);
      }
    } finally {
      await server.close();
    }
  }

  // The bare sandbox CLI: the command(s) the sandbox-cli backend runs for each tool.
  {
    const db = 'bare-cli.db';
    const { amocrm } = ids(db);
    const commands = {
      list_connections: () => [['connection', 'list', '--json']],
      search_actions: () => [['action', 'list', `--connectionId=${amocrm}`, '--intent=create a lead', '--limit=5', '--json']],
      create_action: (i) => [
        ['action', 'create', `--connectionId=${amocrm}`, '--json', '--', `list the sales pipelines ${i % 2 ? 'now' : 'today'}`],
      ],
      run_action: () => [['action', 'run', 'list-leads', `--connectionId=${amocrm}`, '--input={"limit":5}', '--json']],
      proxy_request: () => [['request', amocrm, '/api/v4/leads', '--method=GET', '--query=limit=5', '--json']],
    };
    for (const [tool, argvs] of Object.entries(commands)) {
      const ms = [];
      for (let i = 0; i < N.cli; i++) ms.push(argvs(i).reduce((sum, argv) => sum + direct(db, argv).ms, 0));
      perTool[tool]['bare sandbox CLI'] = stats(ms);
    }
  }

  // The bare sandbox API through the SDK: what the server adds on top of it is MCP, the handler and its policy.
  {
    const { MembraneClient } = await import('@membranehq/sdk');
    const db = 'bare-api.db';
    const child = spawn(process.execPath, [SANDBOX, 'serve'], { env: envFor(db), stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      const [line] = await once(createInterface({ input: child.stdout }), 'line');
      const { apiUri, accessToken } = JSON.parse(line);
      const sdk = new MembraneClient({ apiUri, token: accessToken });
      const amocrm = (await sdk.connections.find({})).items.find((c) => c.integration.key === 'amocrm').id;
      const calls = {
        list_connections: () => sdk.get('/connections', { limit: 100 }),
        search_actions: () => sdk.get('/actions', { connectionId: amocrm, intent: 'create a lead', limit: 5 }),
        create_action: async (i) => {
          const a = await sdk.post('/actions', { intent: `list the sales pipelines ${i % 2 ? 'now' : 'today'}`, connectionId: amocrm });
          if (a.state === 'BUILDING') await sdk.get(`/actions/${a.id}`, { connectionId: amocrm, wait: true, timeout: 10 });
        },
        run_action: () => sdk.post('/act', { key: 'list-leads', connectionId: amocrm, input: { limit: 5 } }),
        proxy_request: () => sdk.connection(amocrm).proxy.get('/api/v4/leads?limit=5'),
      };
      for (const [tool, fn] of Object.entries(calls)) {
        await fn(0);
        const ms = [];
        for (let i = 0; i < N.api; i++) {
          const t = performance.now();
          await fn(i);
          ms.push(performance.now() - t);
          sdk.retrieveLogs();
        }
        perTool[tool]['bare sandbox API'] = stats(ms);
      }
    } finally {
      child.stdin.end();
      await once(child, 'exit');
    }
  }

  // ---------- throughput, RSS, cold start ----------
  const throughput = {};
  const rss = {};
  for (const mode of ['sandbox-api', SMALL_HEAP_MODE, 'sandbox-cli', 'in-process']) {
    const server = await startServer(mode, `${mode.replace(/\W+/g, '-')}-load.db`);
    try {
      await call(server.client, 'amocrm_search_actions', { intent: 'list leads', limit: 5 });
      throughput[mode] = [];
      for (const inFlight of [1, 4, 16]) {
        const total = quick ? inFlight : mode === 'sandbox-cli' ? Math.max(32, inFlight * 4) : Math.max(200, inFlight * 40);
        let next = 0;
        const t = performance.now();
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (next < total) {
              next++;
              await call(server.client, 'amocrm_run_action', { actionId: 'list-leads', input: { limit: 5 } });
            }
          }),
        );
        throughput[mode].push({ inFlight, calls: total, callsPerSecond: round(total / ((performance.now() - t) / 1000)) });
      }
      const api = mode.startsWith('sandbox-api');
      const child = api ? childrenOf(server.pid)[0] : undefined;
      rss[mode] = {
        serverMb: peakRssMb(server.pid),
        ...(api ? { sandboxChildMb: child ? peakRssMb(child) : null } : {}),
      };
    } finally {
      await server.close();
    }
  }
  // A sandbox CLI process of its own (sandbox-cli starts one per call), measured by /usr/bin/time when it is there.
  if (existsSync('/usr/bin/time')) {
    const { amocrm } = ids('time.db');
    const argv = [
      '-f',
      '%M',
      process.execPath,
      SANDBOX,
      'action',
      'run',
      'list-leads',
      `--connectionId=${amocrm}`,
      '--input={"limit":5}',
      '--json',
    ];
    const r = spawnSync('/usr/bin/time', argv, {
      env: envFor('time.db'),
      encoding: 'utf8',
    });
    const kb = Number(r.stderr.trim().split('\n').pop());
    if (Number.isFinite(kb)) rss['sandbox-cli'].perCallProcessMb = round(kb / 1024);
  }

  const coldStart = {};
  for (const mode of ['sandbox-api', 'sandbox-cli', 'in-process']) {
    const toolsList = [];
    const firstCall = [];
    for (let i = 0; i < COLD_N; i++) {
      const server = await startServer(mode, 'cold.db');
      try {
        toolsList.push(server.toolsListMs);
        await call(server.client, 'amocrm_list_connections', {});
        firstCall.push(performance.now() - server.started);
      } finally {
        await server.close();
      }
    }
    coldStart[mode] = { toolsListMs: round(quantile(toolsList, 0.5)), firstCallMs: round(quantile(firstCall, 0.5)), samples: COLD_N };
  }
  rmSync(work, { recursive: true, force: true });

  const api16 = throughput['sandbox-api'].find((r) => r.inFlight === 16)?.callsPerSecond;
  const targets = [
    {
      target: 'sandbox-api run_action p50 ≤ 5 ms',
      measured: perTool.run_action['sandbox-api'].p50,
      met: perTool.run_action['sandbox-api'].p50 <= 5,
    },
    { target: 'sandbox-api ≥ 400 calls/s at 16 in flight', measured: api16, met: api16 >= 400 },
    ...Object.entries(coldStart).map(([mode, c]) => ({
      target: `cold start ${mode} ≤ 200 ms`,
      measured: c.toolsListMs,
      met: c.toolsListMs <= 200,
    })),
    { target: 'peak RSS ≤ 120 MB in api mode: the server', measured: rss['sandbox-api'].serverMb, met: rss['sandbox-api'].serverMb <= 120 },
    {
      target: `peak RSS ≤ 120 MB in api mode: the server run as node ${SMALL_HEAP_FLAGS.join(' ')} (what NODE_OPTIONS gives it)`,
      measured: rss[SMALL_HEAP_MODE].serverMb,
      met: rss[SMALL_HEAP_MODE].serverMb <= 120,
    },
    {
      target: 'the same: calls/s at 16 in flight (≥ 400)',
      measured: throughput[SMALL_HEAP_MODE].find((r) => r.inFlight === 16)?.callsPerSecond,
      met: (throughput[SMALL_HEAP_MODE].find((r) => r.inFlight === 16)?.callsPerSecond ?? 0) >= 400,
    },
    {
      target: 'peak RSS ≤ 120 MB in api mode: server + sandbox child',
      measured: round((rss['sandbox-api'].serverMb ?? NaN) + (rss['sandbox-api'].sandboxChildMb ?? NaN)),
      met: (rss['sandbox-api'].serverMb ?? Infinity) + (rss['sandbox-api'].sandboxChildMb ?? Infinity) <= 120,
    },
  ];
  return {
    samples: N,
    loadAverage: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
    perTool,
    throughput,
    coldStart,
    peakRss: rss,
    targets,
  };
}

/** The section's tables, for run.mjs to print. */
export function backendsTables(b) {
  const modes = ['sandbox-api', 'sandbox-cli', 'bare sandbox CLI', 'bare sandbox API'];
  return [
    [
      `Backends: per tool, p50 / p95 ms (server: ${b.samples.api} calls on sandbox-api, ${b.samples.cli} on sandbox-cli; load average ${b.loadAverage.before.join(' ')} → ${b.loadAverage.after.join(' ')})`,
      Object.entries(b.perTool).map(([tool, byMode]) => ({
        tool,
        ...Object.fromEntries(modes.map((m) => [m, byMode[m] ? `${byMode[m].p50} / ${byMode[m].p95}` : '-'])),
      })),
    ],
    [
      'Backends: throughput (run_action list-leads, calls/s)',
      Object.entries(b.throughput).map(([mode, rows]) => ({
        mode,
        ...Object.fromEntries(rows.map((r) => [`${r.inFlight} in flight`, r.callsPerSecond])),
      })),
    ],
    [
      'Backends: cold start (median ms) and peak RSS (MB)',
      // Every mode measured for either (the small-heap mode is measured under load only).
      [...new Set([...Object.keys(b.coldStart), ...Object.keys(b.peakRss)])].map((mode) => ({
        mode,
        'spawn→tools/list': b.coldStart[mode]?.toolsListMs ?? '-',
        'spawn→first call': b.coldStart[mode]?.firstCallMs ?? '-',
        'server RSS': b.peakRss[mode]?.serverMb ?? '-',
        // sandbox-cli: one CLI process (a call runs one at a time per slot); sandbox-api: its one `serve` child.
        'sandbox RSS': b.peakRss[mode]?.sandboxChildMb ?? b.peakRss[mode]?.perCallProcessMb ?? '-',
      })),
    ],
    ['Backends: targets', b.targets.map((t) => ({ ...t, met: t.met ? 'yes' : 'NO' }))],
  ];
}
