// Hosting for a team, measured: HTTP calls/s and p50 latency of calls that touch the shared state, for
//   memory     one replica, state in its memory (--state memory)
//   redis      one replica, state in Redis (--state redis://…)
//   2x redis   two replicas on one Redis, behind a round-robin client (every request goes to the next one)
// Two calls: the next page of a stored result (run_action {resultId, offset}: one state read, no backend call,
// so it isolates the state hop) and a write (run_action create-product with a new name each time: a repeat
// guard claim and its settling, around the backend's write). The backend is `membrane-sandbox serve` (one
// process for all replicas); Redis is a redis-server started here on a free port, without persistence. The
// target: the Redis hop adds at most 2 ms p50 to a call that touches shared state. The machine is shared, so
// the load average is recorded at the start and the end.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))] : NaN;
};
const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const load = () => loadavg().map((x) => round(x));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A child process and the first stream line matching `pattern` (or its exit first, as an error). */
async function startChild(command, args, opts, stream, pattern, what) {
  const child = spawn(command, args, opts);
  let seen = '';
  const found = await new Promise((resolve, reject) => {
    child.on('error', (e) =>
      reject(
        e.code === 'ENOENT' && command === 'redis-server'
          ? new Error('redis-server is not installed: `sudo apt-get install -y redis-server` (Debian/Ubuntu), `brew install redis` (macOS)')
          : e,
      ),
    );
    child[stream].on('data', (d) => {
      seen += d;
      const m = pattern.exec(seen);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`${what} exited ${code} before it was ready: ${seen.slice(-500)}`)));
  });
  return { child, found };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** One round-robin fetch over `urls` (a load balancer in a function). */
function roundRobin(urls) {
  let next = 0;
  return (_url, init) => fetch(urls[next++ % urls.length], init);
}

async function connect(url, fetchLike) {
  const client = new Client({ name: 'bench-replicas', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetchLike }));
  return client;
}

async function callOk(client, args) {
  const r = await client.callTool({ name: 'onecrm_run_action', arguments: args }, { timeout: 60_000 });
  if (r.isError) throw new Error(`run_action failed: ${r.content?.[0]?.text}`);
  return r.structuredContent;
}

/**
 * @param {{ server: string, sandbox: string, quick: boolean, iterations: number }} opts
 *   server: dist/index.js; sandbox: dist/sandbox/cli.js; iterations: sequential calls per measurement
 */
export async function replicasBench(opts) {
  const runs = opts.quick ? 5 : Math.max(50, opts.iterations * 10);
  const throughputCalls = opts.quick ? 20 : runs * 2;
  const dir = mkdtempSync(join(tmpdir(), 'bench-replicas-'));
  const children = [];
  const loadAtStart = load();
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const redisPort = await freePort();
    const redis = await startChild(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
      'stdout',
      /Ready to accept connections/,
      'redis-server',
    );
    children.push(redis.child);
    const sandbox = await startChild(
      process.execPath,
      [opts.sandbox, 'serve'],
      { env: { ...env, MEMBRANE_SANDBOX_DB: join(dir, 'sandbox.db'), MEMBRANE_SANDBOX_BUILD_MS: '0' }, stdio: ['pipe', 'pipe', 'ignore'] },
      'stdout',
      /^(\{.*\})\n/,
      'membrane-sandbox serve',
    );
    children.push(sandbox.child);
    const { apiUri, accessToken } = JSON.parse(sandbox.found[1]);
    const serverEnv = { ...env, MEMBRANE_ACCESS_TOKEN: accessToken, MEMBRANE_CRM_STATE_SECRET: randomBytes(32).toString('hex') };

    const replica = async (state) => {
      const { child, found } = await startChild(
        process.execPath,
        [
          opts.server,
          '--http=0',
          '--backend=api',
          `--api-uri=${apiUri}`,
          '--connectors=1crm',
          `--state=${state}`,
          '--max-result-chars=2000',
          '--confirm=never',
          '--max-concurrency=16',
          '--log-level=error',
        ],
        { env: serverEnv, stdio: ['ignore', 'ignore', 'pipe'] },
        'stderr',
        /listening on (http:\/\/\S+)/,
        'membrane-crm-mcp --http',
      );
      children.push(child);
      return found[1];
    };

    const redisUrl = `redis://127.0.0.1:${redisPort}/0`;
    const memoryUrl = await replica('memory');
    const [redisA, redisB] = await Promise.all([replica(redisUrl), replica(redisUrl)]);
    const setups = [
      { setup: 'memory (1 replica)', urls: [memoryUrl] },
      { setup: 'redis (1 replica)', urls: [redisA] },
      { setup: 'redis (2 replicas, round-robin)', urls: [redisA, redisB] },
    ];

    // The setups are measured in interleaved rounds, so a change in the machine's load during the run
    // weighs on all of them alike rather than on whichever came last.
    const rounds = opts.quick ? 1 : 5;
    const perRound = Math.ceil(runs / rounds);
    let n = 0;
    const measured = [];
    try {
      for (const { setup, urls } of setups) {
        const client = await connect(urls[0], roundRobin(urls));
        const first = await callOk(client, { actionId: 'list-contacts', input: { limit: 40 } });
        const page = { resultId: first.truncated.resultId, offset: first.truncated.nextOffset };
        const m = {
          setup,
          client,
          paging: [],
          writes: [],
          page: () => callOk(client, page),
          write: () => callOk(client, { actionId: 'create-product', input: { name: `bench-${n++}` } }),
        };
        for (let i = 0; i < Math.min(10, runs); i++) await Promise.all([m.page(), m.write()]);
        measured.push(m);
      }
      for (let round = 0; round < rounds; round++) {
        for (const m of measured) {
          for (const [kind, fn] of [
            ['paging', m.page],
            ['writes', m.write],
          ]) {
            for (let i = 0; i < perRound; i++) {
              const t = performance.now();
              await fn();
              m[kind].push(performance.now() - t);
            }
          }
        }
      }
      for (const m of measured) {
        let sent = 0;
        const t = performance.now();
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (sent++ < throughputCalls) await m.page();
          }),
        );
        m.callsPerSecond = Math.round(throughputCalls / ((performance.now() - t) / 1000));
      }
    } finally {
      await Promise.all(measured.map((m) => m.client.close()));
    }
    const rows = measured.map((m) => ({
      setup: m.setup,
      'page p50 ms': round(quantile(m.paging, 0.5)),
      'page p95 ms': round(quantile(m.paging, 0.95)),
      'write p50 ms': round(quantile(m.writes, 0.5)),
      'write p95 ms': round(quantile(m.writes, 0.95)),
      'page calls/s (16 in flight)': m.callsPerSecond,
    }));
    const [memory, oneRedis, twoRedis] = rows;
    const hop = (row, col) => round(row[col] - memory[col]);
    return {
      runs: perRound * rounds,
      rows,
      redisHopP50Ms: {
        page: hop(oneRedis, 'page p50 ms'),
        write: hop(oneRedis, 'write p50 ms'),
        pageTwoReplicas: hop(twoRedis, 'page p50 ms'),
        writeTwoReplicas: hop(twoRedis, 'write p50 ms'),
        targetMs: 2,
      },
      loadAverage: { atStart: loadAtStart, atEnd: load() },
    };
  } finally {
    for (const child of children.reverse()) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
