// The fault suite: the built server over real stdio against the real sandbox
// with its faults switched on. Every CLI call is bounded, killed on timeout and cancel together with
// anything it spawned, capped in concurrency, retried only when it is a read, and never left behind.
// The process table is checked through /proc, scoped to each test's own sandbox database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerHandle, err, ok, startServer, text, type ToolResult } from '../helpers/mcp.js';
import {
  isAlive,
  killLeftovers,
  procAvailable,
  sampleSandboxProcesses,
  sandboxProcesses,
  waitFor,
  waitForNoSandboxProcesses,
} from '../helpers/processes.js';
import { runSandbox, tempDb } from '../helpers/sandbox.js';

const servers: ServerHandle[] = [];
const dbs: ReturnType<typeof tempDb>[] = [];

/** A fresh database (and its directory, for the argv log) owned by one test. */
function freshDb(): { db: string; argvLog: string } {
  const t = tempDb('faults-');
  dbs.push(t);
  return { db: t.path, argvLog: join(t.dir, 'argv.log') };
}

async function server(opts: { db: string; args?: string[]; env?: Record<string, string> }): Promise<ServerHandle> {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
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

/** Sandbox command lines the argv log recorded (one JSON array per CLI process started). */
function argvLines(file: string): string[][] {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return raw
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
}

async function leadCount(db: string): Promise<number> {
  const info = await runSandbox(['sandbox', 'info', '--json'], { db });
  expect(info.exitCode).toBe(0);
  return (info.json as { counts: { amocrm: { leads: number } } }).counts.amocrm.leads;
}

/**
 * Runs `call` while AmoCRM's shared rate window is kept full: two loops of `sandbox rate-fill` (each a
 * process, so two keep the window covered even when one is slow to start on a busy machine). The filling
 * stops once `enough()` holds (the server met the limit) or the call has ended.
 */
async function underFullWindow<T>(db: string, call: () => Promise<T>, enough: () => boolean): Promise<T> {
  let running = true;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const loop = async () => {
    while (running) {
      const r = await runSandbox(['sandbox', 'rate-fill', '--connectorKey=amocrm', '--json'], { db });
      expect(r.exitCode, r.stderr).toBe(0);
      markStarted();
    }
  };
  const loops = [loop(), loop()];
  try {
    await started;
    const pending = call();
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => settled || enough(), 30_000, 10);
    running = false;
    return await pending;
  } finally {
    running = false;
    await Promise.all(loops);
  }
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, 'g')) ?? []).length;

// Each test has its own database and server, so they run side by side (most of the time is waiting).
describe.concurrent('faults end to end', () => {
  it('hang: the call ends with TIMEOUT after --cli-timeout, and neither the CLI nor its grandchild is left', async () => {
    const { db } = freshDb();
    const s = await server({ db, args: ['--cli-timeout', '2'], env: { MEMBRANE_SANDBOX_FAULT: 'hang' } });
    const started = Date.now();
    const pending = s.call('onecrm_list_connections');
    // While the call hangs, the process table shows the sandbox and the grandchild it spawned
    // (this also proves the scan finds what it looks for).
    const seen: ReturnType<typeof sandboxProcesses> = [];
    if (procAvailable) {
      await waitFor(() => {
        for (const p of sandboxProcesses(db)) if (!seen.some((q) => q.pid === p.pid)) seen.push(p);
        return seen.some((p) => p.kind === 'grandchild') && seen.some((p) => p.kind === 'sandbox');
      }, 1900);
    }
    const e = expectCode(await pending, 'TIMEOUT');
    const elapsed = Date.now() - started;
    expect(e.message).toMatch(/within 2 s/);
    expect(e.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(1900); // the deadline, not an early failure
    expect(elapsed).toBeLessThan(20_000);
    if (procAvailable) {
      // The CLI was running (the grandchild may not have been spawned yet on a busy machine: the
      // cancel test below waits for it).
      expect(seen.some((p) => p.kind === 'sandbox')).toBe(true);
      expect(await waitForNoSandboxProcesses(db)).toEqual([]);
      for (const p of seen) expect(isAlive(p.pid), `pid ${p.pid} (${p.kind})`).toBe(false);
    }
    // The server is still serving after the kill.
    expectCode(await s.call('onecrm_run_action', {}), 'INVALID_INPUT');
  });

  it('crash: a CLI killed mid-output (exit 137) is CLI_ERROR, retried as a read and then reported', async () => {
    const { db, argvLog } = freshDb();
    const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'crash', MEMBRANE_SANDBOX_ARGV_LOG: argvLog } });
    const e = expectCode(await s.call('onecrm_list_connections'), 'CLI_ERROR');
    expect(e.message).toMatch(/137|exit|crash|signal/i);
    // A read: retried on a transient failure, at most 3 tries.
    const runs = argvLines(argvLog).filter((a) => a[0] === 'connection' && a[1] === 'list');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(3);
    expect(s.stderr()).toMatch(/retrying connection list after CLI_ERROR/);
  });

  it('garbage: output that is not JSON is CLI_ERROR with an excerpt of it', async () => {
    const { db } = freshDb();
    const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'garbage' } });
    const e = expectCode(await s.call('amocrm_list_connections'), 'CLI_ERROR');
    expect(String(e.details?.excerpt)).toMatch(/Welcome to Membrane CLI|502 Bad Gateway/);
  });

  it('not logged in: LOGIN_REQUIRED with the login command as the next step', async () => {
    const { db } = freshDb();
    const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'not-logged-in' } });
    const e = expectCode(await s.call('amocrm_search_actions', { intent: 'list leads' }), 'LOGIN_REQUIRED');
    expect(e.nextStep).toMatch(/login --tenant/);
  });

  // The window is time based: on a very busy machine the filling can leave a gap and a call slip
  // through unlimited. That is not what is under test, so each scenario is tried up to three times until
  // the server did meet the limit; every attempt must still end correctly.
  describe('rate limit (AmoCRM, 7 requests/s shared by every process)', () => {
    it('a proxied GET meets the limit, is retried after Retry-After and succeeds', async () => {
      const { db, argvLog } = freshDb();
      const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit', MEMBRANE_SANDBOX_ARGV_LOG: argvLog } });
      ok(await s.call('amocrm_list_connections')); // resolve the connection first (not rate limited)
      const retryLog = /retrying request after RATE_LIMITED \(attempt 2 in \d+ ms\)/;
      let retried = false;
      let attempts = 0;
      for (let attempt = 1; attempt <= 3 && !retried; attempt++) {
        attempts = attempt;
        const retriesBefore = count(s.stderr(), retryLog);
        const runsBefore = argvLines(argvLog).filter((a) => a[0] === 'request').length;
        const r = ok(
          await underFullWindow(
            db,
            () => s.call('amocrm_proxy_request', { path: '/api/v4/leads', query: { limit: 2 } }),
            () => count(s.stderr(), retryLog) > retriesBefore,
          ),
        );
        expect(r.status).toBe(200);
        retried = count(s.stderr(), retryLog) > retriesBefore;
        const runs = argvLines(argvLog).filter((a) => a[0] === 'request').length - runsBefore;
        expect(runs).toBeGreaterThanOrEqual(retried ? 2 : 1);
        expect(runs).toBeLessThanOrEqual(3);
      }
      expect(retried).toBe(true);
      console.error(`[faults] rate limit met after ${attempts} attempt(s)`);
    });

    it('a read action (list-leads) meets the limit, is retried and succeeds', async () => {
      const { db, argvLog } = freshDb();
      const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit', MEMBRANE_SANDBOX_ARGV_LOG: argvLog } });
      ok(await s.call('amocrm_search_actions', { intent: 'list leads', limit: 10 })); // caches connection and action
      const retryLog = /retrying action run after RATE_LIMITED/;
      // The server runs the action by id; list-leads is the only `action run` of this test.
      const actionRuns = () => argvLines(argvLog).filter((a) => a[0] === 'action' && a[1] === 'run').length;
      let retried = false;
      let attempts = 0;
      for (let attempt = 1; attempt <= 3 && !retried; attempt++) {
        attempts = attempt;
        const retriesBefore = count(s.stderr(), retryLog);
        const runsBefore = actionRuns();
        const r = ok(
          await underFullWindow(
            db,
            () => s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: 2 } }),
            () => count(s.stderr(), retryLog) > retriesBefore,
          ),
        );
        expect(r.output).toBeTruthy();
        retried = count(s.stderr(), retryLog) > retriesBefore;
        const runs = actionRuns() - runsBefore;
        expect(runs).toBeGreaterThanOrEqual(retried ? 2 : 1);
        expect(runs).toBeLessThanOrEqual(3);
      }
      expect(retried).toBe(true);
      console.error(`[faults] rate limit met after ${attempts} attempt(s)`);
    });

    it('a write (create-lead) is reported as RATE_LIMITED with retryAfterSeconds and is not retried', async () => {
      const { db, argvLog } = freshDb();
      const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'rate-limit', MEMBRANE_SANDBOX_ARGV_LOG: argvLog } });
      ok(await s.call('amocrm_search_actions', { intent: 'create a lead', limit: 20 }));
      const before = await leadCount(db);
      let created = 0;
      let limited: ToolResult | undefined;
      let name = '';
      for (let attempt = 1; attempt <= 3 && !limited; attempt++) {
        name = `Rate limited lead ${attempt}`;
        const r = await underFullWindow(
          db,
          () => s.call('amocrm_run_action', { actionId: 'create-lead', input: { name } }),
          () => false,
        );
        if (r.isError) limited = r;
        else created++; // slipped through a gap in the window: it ran once, and is counted below
      }
      expect(limited, 'the write never met the rate limit').toBeDefined();
      console.error(`[faults] write rate limited after ${created + 1} attempt(s)`);
      const e = expectCode(limited!, 'RATE_LIMITED');
      expect(e.retryable).toBe(true);
      expect((limited!.structuredContent!.error as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(1);
      expect(s.stderr()).not.toMatch(/retrying action run/);
      // Exactly one CLI run for the limited write, and no lead more than the writes that succeeded.
      const runs = argvLines(argvLog).filter((a) => a[0] === 'action' && a[1] === 'run' && a.join(' ').includes(name));
      expect(runs).toHaveLength(1);
      expect(await leadCount(db)).toBe(before + created);
    });
  });

  it('cancel: a client abort ends a slow call and its CLI process is gone', async () => {
    const { db } = freshDb();
    const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'latency=20000' } });
    const controller = new AbortController();
    const pending = s.call('onecrm_list_connections', {}, { signal: controller.signal });
    const started = Date.now();
    let running: ReturnType<typeof sandboxProcesses> = [];
    if (procAvailable) {
      expect(await waitFor(() => (running = sandboxProcesses(db)).length > 0, 10_000)).toBe(true);
      expect(running.map((p) => p.kind)).toEqual(['sandbox']);
    } else {
      await new Promise((r) => setTimeout(r, 700));
    }
    controller.abort('user pressed stop');
    await expect(pending).rejects.toThrow();
    // The server stops the CLI long before its 20 s of latency are over.
    await expect.poll(() => s.stderr(), { timeout: 10_000 }).toMatch(/onecrm_list_connections → CANCELLED/);
    expect(Date.now() - started).toBeLessThan(15_000);
    if (procAvailable) {
      expect(await waitForNoSandboxProcesses(db)).toEqual([]);
      for (const p of running) expect(isAlive(p.pid)).toBe(false);
    }
  });

  it('cancel during a hang: the kill reaches the grandchild the CLI spawned (its process group)', async () => {
    const { db } = freshDb();
    const s = await server({ db, env: { MEMBRANE_SANDBOX_FAULT: 'hang' } });
    const controller = new AbortController();
    const pending = s.call('amocrm_list_connections', {}, { signal: controller.signal });
    let running: ReturnType<typeof sandboxProcesses> = [];
    if (procAvailable) {
      expect(await waitFor(() => (running = sandboxProcesses(db)).some((p) => p.kind === 'grandchild'), 15_000)).toBe(true);
      expect(running.map((p) => p.kind).sort()).toEqual(['grandchild', 'sandbox']);
    } else {
      await new Promise((r) => setTimeout(r, 1000));
    }
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => s.stderr(), { timeout: 10_000 }).toMatch(/amocrm_list_connections → CANCELLED/);
    if (procAvailable) {
      expect(await waitForNoSandboxProcesses(db)).toEqual([]);
      for (const p of running) expect(isAlive(p.pid), `pid ${p.pid} (${p.kind})`).toBe(false);
    }
  });

  it('concurrency cap: with --max-concurrency 2, 6 parallel calls never run more than 2 CLI processes and all succeed', async () => {
    const { db } = freshDb();
    const s = await server({ db, args: ['--max-concurrency', '2'], env: { MEMBRANE_SANDBOX_FAULT: 'latency=800' } });
    // Warm the connection cache first: concurrent identical lookups are shared (one CLI call), so the six
    // calls measured here are distinct proxy requests, one CLI process each.
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
    if (procAvailable) {
      expect(samples).toBeGreaterThan(10);
      expect(max).toBe(2);
    }
  });

  it('a queued call whose deadline passes while it waits is TIMEOUT, and says it waited for a slot', async () => {
    const { db, argvLog } = freshDb();
    const s = await server({
      db,
      args: ['--max-concurrency', '1', '--cli-timeout', '2'],
      env: { MEMBRANE_SANDBOX_BUILD_MS: '30000', MEMBRANE_SANDBOX_ARGV_LOG: argvLog },
    });
    ok(await s.call('onecrm_list_connections'));
    // create_action's long-poll keeps its own budget (past --cli-timeout) and holds the only slot.
    const controller = new AbortController();
    const building = s.call('onecrm_create_action', { description: 'list all campaigns', waitSeconds: 20 }, { signal: controller.signal });
    building.catch(() => undefined);
    expect(await waitFor(() => argvLines(argvLog).some((a) => a[0] === 'action' && a[1] === 'get' && a.includes('--wait')), 15_000)).toBe(
      true,
    );
    const started = Date.now();
    const e = expectCode(await s.call('onecrm_list_connections', { refresh: true }), 'TIMEOUT');
    expect(e.message).toMatch(/while waiting for a free CLI slot/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    // The queued call never started a process.
    expect(argvLines(argvLog).filter((a) => a[0] === 'connection' && a[1] === 'list')).toHaveLength(1);
    controller.abort();
    await expect(building).rejects.toThrow();
    if (procAvailable) expect(await waitForNoSandboxProcesses(db)).toEqual([]);
  });
});
