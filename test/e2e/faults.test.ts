// The fault suite: the built server over real stdio against the real sandbox with its faults switched on, on both
// sandbox backends. Every Membrane call is bounded, stopped on timeout and cancel (a CLI call killed together with
// anything it spawned; an API request aborted), capped in concurrency, retried only when it is a read, and never left
// behind. The process table is checked through /proc, scoped to each test's own sandbox database: with the CLI no
// sandbox process may outlive its call; with the API the one `serve` child is the only sandbox process, throughout.
//
// The Membrane-side faults over the API (expired token, 403 on action creation, 404, 429 with and without Retry-After,
// a build that never finishes or fails, an HTML 502, a hang) are checked last on both API backends: sandbox-api, and
// the real-API-shaped one (the server in auto mode pointed at a separately started `membrane-sandbox serve`), with
// the credentials of the API never appearing in a log line or a result.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, callLogEnv, countCalls, loggedCalls, maxOverlap, SANDBOX_API } from '../helpers/backends.js';
import { type ServerHandle, err, ok, startServer, text, type ToolResult, type StartOptions } from '../helpers/mcp.js';
import {
  killLeftovers,
  procAvailable,
  sampleSandboxProcesses,
  sandboxProcesses,
  waitFor,
  waitForNoSandboxProcesses,
  waitForPidsToEnd,
} from '../helpers/processes.js';
import { realApiEnv, spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';
import { runSandbox, tempDb } from '../helpers/sandbox.js';

const servers: ServerHandle[] = [];
const apis: SpawnedSandboxApi[] = [];
const dbs: ReturnType<typeof tempDb>[] = [];

/** A fresh database (and its directory, for the call log) owned by one test. */
function freshDb(): { db: string; callLog: string } {
  const t = tempDb('faults-');
  dbs.push(t);
  return { db: t.path, callLog: join(t.dir, 'calls.log') };
}

async function server(opts: StartOptions & { db: string }): Promise<ServerHandle> {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(apis.map((a) => a.stop()));
  for (const d of dbs) {
    killLeftovers(d.path); // only matters when a test failed
    d.cleanup();
  }
});

/** The code and the agent-facing text format of an error result, never with a stack trace. */
function expectCode(r: ToolResult, code: string): ReturnType<typeof err> {
  const e = err(r);
  expect(e.code).toBe(code);
  expect(text(r).startsWith(`${code}: `)).toBe(true);
  expect(text(r)).not.toMatch(/\n\s+at .+:\d+:\d+/);
  return e;
}

async function leadCount(db: string): Promise<number> {
  const info = await runSandbox(['sandbox', 'info', '--json'], { db });
  expect(info.exitCode).toBe(0);
  return (info.json as { counts: { amocrm: { leads: number } } }).counts.amocrm.leads;
}

/**
 * Arms the sandbox so that the next `requests` AmoCRM requests (proxy or action run, from any process) meet its
 * rate limit, then pass: counted per request, not per wall-clock window, so a loaded machine cannot make a call
 * slip through or a retry be refused again.
 */
async function refuseNextAmoRequests(db: string, requests: number): Promise<void> {
  const r = await runSandbox(['sandbox', 'rate-fill', '--connectorKey=amocrm', `--requests=${requests}`, '--json'], { db });
  expect(r.exitCode, r.stderr).toBe(0);
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, 'g')) ?? []).length;

/** The sandbox processes of `db` other than the `serve` child (which lives as long as its server on the API backend). */
const callProcesses = (db: string) => sandboxProcesses(db).filter((p) => p.kind !== 'serve');

// Each test has its own database and server, so they run side by side (most of the time is waiting).
describe.concurrent.each(BACKENDS)('faults end to end on $name', (backend) => {
  const api = backend.name === 'sandbox-api';
  /** What an unreadable answer is: a CLI's broken output, or an API answer that is not the API's. */
  const unreadable = api ? 'MEMBRANE_ERROR' : 'CLI_ERROR';
  const start = (opts: StartOptions & { db: string }) => server({ backend, ...opts });

  it('hang: the call ends with TIMEOUT after --cli-timeout, and nothing the call started is left', async () => {
    const { db } = freshDb();
    const s = await start({ db, args: ['--cli-timeout', '2'], env: { MEMBRANE_SANDBOX_FAULT: 'hang' } });
    const started = Date.now();
    let settled = false;
    const pending = s.call('onecrm_list_connections').finally(() => (settled = true));
    // While the call hangs, the process table shows the CLI and the grandchild it spawned (this also proves the scan
    // finds what it looks for); over the API the request hangs inside the one `serve` child. Watched for as long as the
    // call runs, not a fixed 1.9 s: a busy server may spawn its CLI late in its 2 s.
    const seen: ReturnType<typeof sandboxProcesses> = [];
    if (procAvailable) {
      await waitFor(() => {
        for (const p of sandboxProcesses(db)) if (!seen.some((q) => q.pid === p.pid)) seen.push(p);
        const all = api
          ? seen.some((p) => p.kind === 'serve')
          : seen.some((p) => p.kind === 'grandchild') && seen.some((p) => p.kind === 'sandbox');
        return all || settled;
      }, 20_000);
    }
    const e = expectCode(await pending, 'TIMEOUT');
    const elapsed = Date.now() - started;
    expect(e.message).toMatch(/within 2 s/);
    expect(e.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(1900); // the deadline, not an early failure
    expect(elapsed).toBeLessThan(20_000);
    if (procAvailable) {
      // The call was running (the grandchild may not have been spawned yet on a busy machine: the cancel test below
      // waits for it).
      expect(seen.some((p) => p.kind === (api ? 'serve' : 'sandbox'))).toBe(true);
      if (api) {
        expect(seen.map((p) => p.kind)).toEqual(['serve']);
        expect(sandboxProcesses(db).map((p) => p.kind)).toEqual(['serve']);
      } else {
        expect(await waitForNoSandboxProcesses(db)).toEqual([]);
        expect(await waitForPidsToEnd(seen)).toEqual([]);
      }
    }
    // The server is still serving after the kill.
    expectCode(await s.call('onecrm_run_action', {}), 'INVALID_INPUT');
  });

  it(`crash: an answer cut off mid-way is ${unreadable}, retried as a read and then reported`, async () => {
    const { db, callLog } = freshDb();
    const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'crash', ...callLogEnv(backend, callLog) } });
    const e = expectCode(await s.call('onecrm_list_connections'), unreadable);
    // The CLI is killed (exit 137); the API's connection drops after half the body.
    expect(e.message).toMatch(api ? /broke off|socket|aborted|reset|not JSON/i : /137|exit|crash|signal/i);
    // A read: retried on a transient failure, at most 3 tries.
    const runs = countCalls(backend, callLog, 'connection list');
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(3);
    expect(s.stderr()).toMatch(new RegExp(`retrying connection list after ${unreadable}`));
  });

  it(`garbage: an answer that is not JSON is ${unreadable} with an excerpt of it`, async () => {
    const { db } = freshDb();
    const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'garbage' } });
    const e = expectCode(await s.call('amocrm_list_connections'), unreadable);
    expect(`${String(e.details?.excerpt ?? '')} ${e.message}`).toMatch(/Welcome to Membrane CLI|502 Bad Gateway/);
  });

  it('not logged in: LOGIN_REQUIRED with what to do as the next step', async () => {
    const { db } = freshDb();
    const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'not-logged-in' } });
    const e = expectCode(await s.call('amocrm_search_actions', { intent: 'list leads' }), 'LOGIN_REQUIRED');
    expect(e.nextStep).toMatch(api ? /restart the MCP server/ : /login --tenant/);
  });

  // The limit is armed per request (`rate-fill --requests=1`): exactly the first try is refused, the retry passes.
  describe('rate limit (AmoCRM, 7 requests/s shared by every process)', () => {
    it('a proxied GET meets the limit, is retried once after Retry-After and succeeds', async () => {
      const { db, callLog } = freshDb();
      const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit', ...callLogEnv(backend, callLog) } });
      ok(await s.call('amocrm_list_connections')); // resolve the connection first (not rate limited)
      const retryLog = /retrying request after RATE_LIMITED \(attempt 2 in \d+ ms\)/;
      const runsBefore = countCalls(backend, callLog, 'request');
      await refuseNextAmoRequests(db, 1);
      const r = ok(await s.call('amocrm_proxy_request', { path: '/api/v4/leads', query: { limit: 2 } }));
      expect(r.status).toBe(200);
      expect(count(s.stderr(), retryLog)).toBe(1);
      expect(countCalls(backend, callLog, 'request') - runsBefore).toBe(2);
    });

    it('a read action (list-leads) meets the limit, is retried once and succeeds', async () => {
      const { db, callLog } = freshDb();
      const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit', ...callLogEnv(backend, callLog) } });
      ok(await s.call('amocrm_search_actions', { intent: 'list leads', limit: 10 })); // caches connection and action
      const retryLog = /retrying action run after RATE_LIMITED/;
      // The server runs the action by id; list-leads is the only `action run` of this test.
      const runsBefore = countCalls(backend, callLog, 'action run');
      await refuseNextAmoRequests(db, 1);
      const r = ok(await s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: 2 } }));
      expect(r.output).toBeTruthy();
      expect(count(s.stderr(), retryLog)).toBe(1);
      expect(countCalls(backend, callLog, 'action run') - runsBefore).toBe(2);
    });

    it('a write (create-lead) is reported as RATE_LIMITED with retryAfterSeconds and is not retried', async () => {
      const { db, callLog } = freshDb();
      const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit', ...callLogEnv(backend, callLog) } });
      ok(await s.call('amocrm_search_actions', { intent: 'create a lead', limit: 20 }));
      const before = await leadCount(db);
      const runsBefore = countCalls(backend, callLog, 'action run');
      await refuseNextAmoRequests(db, 1);
      const limited = await s.call('amocrm_run_action', { actionId: 'create-lead', input: { name: 'Rate limited lead' } });
      const e = expectCode(limited, 'RATE_LIMITED');
      expect(e.retryable).toBe(true);
      expect((limited.structuredContent!.error as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(1);
      expect(s.stderr()).not.toMatch(/retrying action run/);
      // Exactly one run, and no lead written.
      expect(countCalls(backend, callLog, 'action run') - runsBefore).toBe(1);
      expect(await leadCount(db)).toBe(before);
      // The refusal is used up: the same write now goes through, once.
      ok(await s.call('amocrm_run_action', { actionId: 'create-lead', input: { name: 'Rate limited lead' } }));
      expect(await leadCount(db)).toBe(before + 1);
    });
  });

  // The test's own expect: in a concurrent suite the global expect.poll has no current test once another test ended.
  it('cancel: a client abort ends a slow call, and nothing the call started is left', async ({ expect }) => {
    const { db, callLog } = freshDb();
    const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'latency=20000', ...callLogEnv(backend, callLog) } });
    const controller = new AbortController();
    const pending = s.call('onecrm_list_connections', {}, { signal: controller.signal });
    const started = Date.now();
    let running: ReturnType<typeof sandboxProcesses> = [];
    if (procAvailable && !api) {
      expect(await waitFor(() => (running = sandboxProcesses(db)).length > 0, 10_000)).toBe(true);
      expect(running.map((p) => p.kind)).toEqual(['sandbox']);
    } else {
      await new Promise((r) => setTimeout(r, 700));
    }
    controller.abort('user pressed stop');
    await expect(pending).rejects.toThrow();
    // The server stops the call long before its 20 s of latency are over.
    await expect.poll(() => s.stderr(), { timeout: 10_000 }).toMatch(/onecrm_list_connections → CANCELLED/);
    expect(Date.now() - started).toBeLessThan(15_000);
    if (procAvailable) {
      expect(await waitFor(() => callProcesses(db).length === 0)).toBe(true);
      expect(await waitForPidsToEnd(running)).toEqual([]);
      // Over the API the aborted request is the sandbox's to finish; its one child keeps serving the next call.
      if (api) expect(sandboxProcesses(db).map((p) => p.kind)).toEqual(['serve']);
    }
  });

  it('cancel during a hang: the call ends at once (a CLI call with the grandchild it spawned: its process group)', async ({ expect }) => {
    const { db } = freshDb();
    const s = await start({ db, env: { MEMBRANE_SANDBOX_FAULT: 'hang' } });
    const controller = new AbortController();
    const pending = s.call('amocrm_list_connections', {}, { signal: controller.signal });
    let running: ReturnType<typeof sandboxProcesses> = [];
    if (procAvailable && !api) {
      expect(await waitFor(() => (running = sandboxProcesses(db)).some((p) => p.kind === 'grandchild'), 15_000)).toBe(true);
      expect(running.map((p) => p.kind).sort()).toEqual(['grandchild', 'sandbox']);
    } else {
      await new Promise((r) => setTimeout(r, 1000));
    }
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => s.stderr(), { timeout: 10_000 }).toMatch(/amocrm_list_connections → CANCELLED/);
    if (procAvailable) {
      expect(await waitFor(() => callProcesses(db).length === 0)).toBe(true);
      expect(await waitForPidsToEnd(running)).toEqual([]);
    }
  });

  it('concurrency cap: with --max-concurrency 2, 6 parallel calls never run more than 2 at once and all succeed', async () => {
    const { db, callLog } = freshDb();
    const s = await start({
      db,
      args: ['--max-concurrency', '2'],
      env: { MEMBRANE_SANDBOX_FAULT: 'latency=800', ...callLogEnv(backend, callLog) },
    });
    // Warm the connection cache first: concurrent identical lookups are shared (one call), so the six calls measured
    // here are distinct proxy requests, one CLI process or API request each.
    ok(await s.call('onecrm_list_connections'));
    const sampler = sampleSandboxProcesses(db, 15);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => s.call('onecrm_proxy_request', { path: '/data/Account', query: { limit: i + 1 } })),
    );
    const elapsed = Date.now() - started;
    const { max, samples } = await sampler.stop();
    results.forEach((r, i) => expect((ok(r).body as { items: unknown[] }).items).toHaveLength(i + 1));
    // Two at a time, 800 ms each: at least three rounds (a lower bound, safe on a slow machine).
    expect(elapsed).toBeGreaterThanOrEqual(3 * 800);
    if (api) {
      // The sandbox logs when each request came and how long it took: at most two overlap.
      const proxied = loggedCalls(backend, callLog).filter((c) => c.operation === 'request');
      expect(proxied).toHaveLength(6);
      expect(maxOverlap(proxied)).toBe(2);
    } else if (procAvailable) {
      expect(samples).toBeGreaterThan(10);
      expect(max).toBe(2);
    }
  });

  it('a queued call whose deadline passes while it waits is TIMEOUT, and says it waited for a slot', async () => {
    const { db, callLog } = freshDb();
    const s = await start({
      db,
      args: ['--max-concurrency', '1', '--cli-timeout', '2', '--log-level=debug'],
      env: { MEMBRANE_SANDBOX_BUILD_MS: '30000', ...callLogEnv(backend, callLog) },
    });
    // The first call over the API waits for the `serve` child's start (Node, and seeding the fresh store), which has its
    // own 20 s bound: within the 2 s of --cli-timeout a busy machine did not always make it.
    if (api) expect(await waitFor(() => /sandbox API up at/.test(s.stderr()), 20_000)).toBe(true);
    ok(await s.call('onecrm_list_connections'));
    // create_action's long-poll keeps its own budget (past --cli-timeout) and holds the only slot.
    const controller = new AbortController();
    const building = s.call('onecrm_create_action', { description: 'list all campaigns', waitSeconds: 20 }, { signal: controller.signal });
    building.catch(() => undefined);
    // The CLI's log shows the long-poll when it starts. The API's logs a request once answered, so there the sign is the
    // server's own "action … created" line: the long-poll takes the slot in the same turn of its event loop, before it
    // reads the next request (a fixed wait after the create's answer lost the slot to the call below on a busy machine).
    expect(
      await waitFor(
        () => (api ? /action \S+ created: BUILDING/.test(s.stderr()) : countCalls(backend, callLog, 'action get', true) > 0),
        15_000,
      ),
    ).toBe(true);
    const started = Date.now();
    const e = expectCode(await s.call('onecrm_list_connections', { refresh: true }), 'TIMEOUT');
    expect(e.message).toMatch(new RegExp(`while waiting for a free ${backend.slot} slot`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    // The queued call never started.
    expect(countCalls(backend, callLog, 'connection list')).toBe(1);
    controller.abort();
    await expect(building).rejects.toThrow();
    if (procAvailable) expect(await waitFor(() => callProcesses(db).length === 0)).toBe(true);
  });
});

interface FaultSetup {
  name: string;
  /** The backend results name. */
  backend: string;
  /** A server whose Membrane side has these faults. */
  start(db: string, fault: string, opts?: StartOptions): Promise<ServerHandle>;
  /** The credentials between the server and its API, which must never show. */
  secrets(s: ServerHandle): string[];
}

/** The `pat-` token and workspace secret the server gave its `serve` child, read from the child's environment. */
function childSecrets(db: string): string[] {
  const serve = sandboxProcesses(db).find((p) => p.kind === 'serve');
  if (!serve) return [];
  const environ = readFileSync(`/proc/${serve.pid}/environ`, 'latin1').split('\0');
  return ['MEMBRANE_SANDBOX_ACCESS_TOKEN', 'MEMBRANE_SANDBOX_WORKSPACE_SECRET']
    .map((name) => environ.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1) ?? '')
    .filter(Boolean);
}

// The API backends: the sandbox CLI's answers to the same faults are its own contract (test/sandbox/cli-faults.test.ts),
// and the ones an agent meets most (not logged in, garbage, hang) run through the server on both backends above.
const FAULT_SETUPS: FaultSetup[] = [
  {
    name: 'sandbox-api',
    backend: 'sandbox-api',
    start: (db, fault, opts = {}) => server({ ...opts, backend: SANDBOX_API, db, env: { MEMBRANE_SANDBOX_FAULT: fault, ...opts.env } }),
    secrets: (s) => (procAvailable ? childSecrets(s.db) : []),
  },
  {
    name: 'membrane-api (at membrane-sandbox serve)',
    backend: 'membrane-api',
    async start(db, fault, opts = {}) {
      const api = await spawnSandboxApi({ db, env: { MEMBRANE_SANDBOX_FAULT: fault } });
      apis.push(api);
      const s = await server({ ...opts, db, env: { ...realApiEnv(api, 'token'), ...opts.env } });
      secretsOf.set(s, [api.accessToken, api.workspaceSecret]);
      return s;
    },
    secrets: (s) => secretsOf.get(s) ?? [],
  },
];
const secretsOf = new Map<ServerHandle, string[]>();

describe.concurrent.each(FAULT_SETUPS)('Membrane-side faults on $name', (setup) => {
  /** Starts a server on `fault`, makes `calls`, and checks that no credential of its API shows anywhere. */
  async function underFault(fault: string, calls: (s: ServerHandle) => Promise<ToolResult[]>, opts?: StartOptions): Promise<ToolResult[]> {
    const { db } = freshDb();
    const s = await setup.start(db, fault, { ...opts, args: ['--log-level=debug', ...(opts?.args ?? [])] });
    const secrets = setup.secrets(s);
    const results = await calls(s);
    const everything = s.stderr() + results.map((r) => text(r) + JSON.stringify(r.structuredContent)).join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    if (procAvailable) expect(secrets.length, 'the credentials were found, so their absence means something').toBeGreaterThan(0);
    return results;
  }

  it('expired token: LOGIN_REQUIRED, naming what to fix', async () => {
    const [r] = await underFault('expired-token', async (s) => [await s.call('amocrm_list_connections')]);
    const e = expectCode(r, 'LOGIN_REQUIRED');
    expect(e.message).toMatch(/expired/i);
    const fix: Record<string, RegExp> = {
      'sandbox-api': /restart the MCP server.*MEMBRANE_SANDBOX_FAULT/,
      'membrane-api': /replace MEMBRANE_ACCESS_TOKEN and MEMBRANE_API_URI/,
    };
    expect(e.nextStep).toMatch(fix[setup.backend]);
  });

  it('403 on action creation: ACCESS_DENIED with the permission that is missing', async () => {
    const [r] = await underFault('action-create-forbidden', async (s) => [
      await s.call('onecrm_create_action', { description: 'list all projects', waitSeconds: 5 }),
    ]);
    const e = expectCode(r, 'ACCESS_DENIED');
    const fix: Record<string, RegExp> = {
      'sandbox-api': /MEMBRANE_SANDBOX_FAULT=action-create-forbidden/,
      'membrane-api': /a tenant token may not create actions; a workspace admin token may/,
    };
    expect(e.nextStep).toMatch(fix[setup.backend]);
  });

  it('404 for everything named: NOT_FOUND with the way to find what exists', async () => {
    const [r] = await underFault('not-found', async (s) => [await s.call('onecrm_run_action', { actionId: 'list-accounts' })]);
    const e = expectCode(r, 'NOT_FOUND');
    expect(e.nextStep).toMatch(/onecrm_(search_actions|list_connections)/);
  });

  it('429 with Retry-After: RATE_LIMITED with retryAfterSeconds; a write is not retried', async () => {
    const [r] = await underFault('api-rate-limit', async (s) => [
      await s.call('onecrm_run_action', { actionId: 'create-note', input: { name: 'Rate limited by Membrane' } }),
    ]);
    const e = expectCode(r, 'RATE_LIMITED');
    expect(e.retryable).toBe(true);
    // (Retry-After is an HTTP header: through the sandbox CLI, which prints the ErrorData alone, the wait is not known.)
    expect((r.structuredContent!.error as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(1);
  });

  it('429 without Retry-After: RATE_LIMITED without a made-up retryAfterSeconds', async () => {
    const [r] = await underFault('api-rate-limit-no-retry-after', async (s) => [
      await s.call('onecrm_run_action', { actionId: 'create-note', input: { name: 'Rate limited by Membrane' } }),
    ]);
    expectCode(r, 'RATE_LIMITED');
    expect(r.structuredContent!.error).not.toHaveProperty('retryAfterSeconds');
  });

  it('a build that never finishes: done: false with the action id, and running it is ACTION_NOT_READY', async () => {
    const [built, run] = await underFault('build-hangs', async (s) => {
      const b = await s.call('onecrm_create_action', { description: 'list all projects', waitSeconds: 1 });
      return [b, await s.call('onecrm_run_action', { actionId: (ok(b).action as { id: string }).id })];
    });
    expect(ok(built).done).toBe(false);
    expect(ok(built).nextStep).toContain((ok(built).action as { id: string }).id);
    expectCode(run, 'ACTION_NOT_READY');
  });

  it('a build that fails: ACTION_BUILD_FAILED naming SETUP_FAILED and why', async () => {
    const [r] = await underFault('build-fails', async (s) => [
      await s.call('onecrm_create_action', { description: 'list all projects', waitSeconds: 20 }),
    ]);
    const e = expectCode(r, 'ACTION_BUILD_FAILED');
    expect(e.message).toMatch(/SETUP_FAILED/);
  });

  it('an HTML 502 from a gateway instead of the API: MEMBRANE_ERROR with an excerpt', async () => {
    const [r] = await underFault('garbage', async (s) => [await s.call('onecrm_list_connections')]);
    const e = expectCode(r, 'MEMBRANE_ERROR');
    expect(`${String(e.details?.excerpt ?? '')} ${e.message}`).toMatch(/502 Bad Gateway/);
  });

  it('a hang: TIMEOUT after --cli-timeout', async () => {
    const [r] = await underFault('hang', async (s) => [await s.call('onecrm_list_connections')], { args: ['--cli-timeout', '2'] });
    expectCode(r, 'TIMEOUT');
  });

  it('noise on the sandbox’s stderr: token-like text never reaches a log line or a result', async () => {
    const results = await underFault('stderr-noise', async (s) => {
      const r = [await s.call('onecrm_list_connections'), await s.call('onecrm_search_actions', { intent: 'list accounts' })];
      // The sandbox's stderr reaches the server's log at debug level (not the separately started one's).
      if (setup.backend !== 'membrane-api') expect(await waitFor(() => /Authorization: \[REDACTED\]/.test(s.stderr()))).toBe(true);
      expect(s.stderr()).not.toMatch(/sbx_secret_|sbx_at_/);
      return r;
    });
    results.forEach((r) => ok(r));
  });
});
