// Progress notifications end to end over stdio: a call that runs longer than about 2 s reports, on a timer,
// what it is doing (clients reset their idle timeout on each one and show the message), including a wait
// in the concurrency queue; a fast call sends none; nothing arrives after the result. The sandbox's
// latency fault makes every call to it slow.
//
// The slow heartbeat case takes about 14 s per run and its timer is the server's own, the same whatever backend
// answers: it runs once per client era, the 2025 client on sandbox-cli and the 2026 one on sandbox-api, so each
// era and each backend is covered once. The queue case runs on both backends (each has its own concurrency
// limit in front of the sandbox); the fast case on every pair. Each test starts its own server, so the cases of
// one kind run side by side.
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, SANDBOX_API, SANDBOX_CLI } from '../helpers/backends.js';
import { type Era, ok, serverPool } from '../helpers/mcp.js';
import { FIRST_PROGRESS_MS } from '../../src/call-progress.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.concurrent.each([
  { era: 'legacy' as Era, backend: SANDBOX_CLI },
  { era: 'modern' as Era, backend: SANDBOX_API },
])('progress of a slow call, $era client on $backend.name', ({ era, backend }) => {
  it(
    'a slow run_action reports what it does every few seconds, in increasing order, and nothing after the result',
    { timeout: 60_000 },
    async () => {
      // Each call to the sandbox takes longer than the heartbeat interval (3 s), so every phase of the call is reported.
      const s = await pool.start({ backend, era, env: { MEMBRANE_SANDBOX_FAULT: 'latency=3500' } });
      const seen: Progress[] = [];
      const r = await s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: 2 } }, { onprogress: (p) => seen.push(p) });
      ok(r);
      const atResult = seen.length;
      // Three calls of 3.5 s (connection list, action get, action run): reports at about 2, 5, 8 and 11 s.
      expect(atResult).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < seen.length; i++) expect(seen[i].progress).toBeGreaterThan(seen[i - 1].progress);
      for (const p of seen) expect(p.message).toMatch(/\(\d+ s\)$/);
      expect(seen.some((p) => /^Running "list-leads" in AmoCRM \(\d+ s\)$/.test(p.message ?? ''))).toBe(true);
      await sleep(3500);
      expect(seen).toHaveLength(atResult);
    },
  );
});

describe.concurrent.each(BACKENDS)('progress on $name', (backend) => {
  it.each<Era>(['legacy', 'modern'])('a call that answers quickly sends no progress (%s client)', async (era) => {
    const s = await pool.start({ backend, era });
    // Warmed first: the first call also waits for the backend to be up (the sandbox API child and the SDK's first
    // load), which is not a quick call; on a loaded machine (this file's cases run side by side) it passed 2 s.
    ok(await s.call('amocrm_list_connections', {}));
    const seen: Progress[] = [];
    const started = Date.now();
    ok(await s.call('amocrm_search_actions', { intent: 'create a lead' }, { onprogress: (p) => seen.push(p) }));
    const tookMs = Date.now() - started;
    // A call answered within the first heartbeat's 2 s sent none; a slower one (a loaded machine can make even this one
    // slower) sent none before it either: progress is the call's elapsed seconds, so none may be under 2.
    expect(seen.filter((p) => tookMs < FIRST_PROGRESS_MS || p.progress < FIRST_PROGRESS_MS / 1000)).toEqual([]);
  });

  it('while waiting in the concurrency queue: says the call waits for a free slot, and behind how many, then what it runs', async () => {
    // 4 s a call: the third call's first heartbeat (2 s in) comes while the first call still runs, with room to spare
    // on a loaded machine (2.5 s left 0.5 s, and a late heartbeat then said "next in line").
    const s = await pool.start({ backend, args: ['--max-concurrency', '1'], env: { MEMBRANE_SANDBOX_FAULT: 'latency=4000' } });
    // Warm the connection list and the action's metadata, so the three calls below only run the action.
    ok(await s.call('amocrm_search_actions', { intent: 'list leads' }));
    const seen: Progress[][] = [[], [], []];
    const calls = seen.map((list, i) =>
      s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: i + 1 } }, { onprogress: (p) => list.push(p) }),
    );
    for (const r of await Promise.all(calls)) ok(r);
    // The third call waited about 8 s behind the other two, then ran for 4 s.
    const last = seen.map((list) => list.map((p) => p.message ?? '')).find((messages) => messages.some((m) => m.includes('ahead')));
    expect(last, JSON.stringify(seen)).toBeDefined();
    expect(last!.find((m) => m.includes('ahead'))).toMatch(
      /^Waiting for a free slot to Membrane \(1 call ahead, --max-concurrency\), \d+ s$/,
    );
    expect(seen.flat().some((p) => /^Running "list-leads"/.test(p.message ?? ''))).toBe(true);
  }, 60_000);
});
