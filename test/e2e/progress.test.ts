// Progress notifications end to end over stdio: a call that runs longer than about 2 s reports, on a timer,
// what it is doing (clients reset their idle timeout on each one and show the message), including a wait
// in the concurrency queue; a fast call sends none; nothing arrives after the result. The sandbox's
// latency fault makes every CLI call slow.
import { afterAll, describe, expect, it } from 'vitest';
import { type Era, ok, serverPool } from '../helpers/mcp.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each<Era>(['legacy', 'modern'])('progress, %s client', (era) => {
  it(
    'a slow run_action reports what it does every few seconds, in increasing order, and nothing after the result',
    { timeout: 60_000 },
    async () => {
      // Each CLI call takes longer than the heartbeat interval (3 s), so every phase of the call is reported.
      const s = await pool.start({ era, env: { MEMBRANE_SANDBOX_FAULT: 'latency=3500' } });
      const seen: Progress[] = [];
      const r = await s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: 2 } }, { onprogress: (p) => seen.push(p) });
      ok(r);
      const atResult = seen.length;
      // Three CLI calls of 3.5 s (connection list, action get, action run): reports at about 2, 5, 8 and 11 s.
      expect(atResult).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < seen.length; i++) expect(seen[i].progress).toBeGreaterThan(seen[i - 1].progress);
      for (const p of seen) expect(p.message).toMatch(/\(\d+ s\)$/);
      expect(seen.some((p) => /^Running "list-leads" in AmoCRM \(\d+ s\)$/.test(p.message ?? ''))).toBe(true);
      await sleep(3500);
      expect(seen).toHaveLength(atResult);
    },
  );

  it('a call that answers quickly sends no progress', async () => {
    const s = await pool.start({ era });
    const seen: Progress[] = [];
    ok(await s.call('amocrm_search_actions', { intent: 'create a lead' }, { onprogress: (p) => seen.push(p) }));
    expect(seen).toEqual([]);
  });
});

describe('progress while waiting in the concurrency queue', () => {
  it('says the call waits for a free slot, and behind how many, then what it runs', async () => {
    const s = await pool.start({ args: ['--max-concurrency', '1'], env: { MEMBRANE_SANDBOX_FAULT: 'latency=2500' } });
    // Warm the connection list and the action's metadata, so the three calls below only run the action.
    ok(await s.call('amocrm_search_actions', { intent: 'list leads' }));
    const seen: Progress[][] = [[], [], []];
    const calls = seen.map((list, i) =>
      s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: i + 1 } }, { onprogress: (p) => list.push(p) }),
    );
    for (const r of await Promise.all(calls)) ok(r);
    // The third call waited about 5 s behind the other two, then ran for 2.5 s.
    const last = seen.map((list) => list.map((p) => p.message ?? '')).find((messages) => messages.some((m) => m.includes('ahead')));
    expect(last, JSON.stringify(seen)).toBeDefined();
    expect(last!.find((m) => m.includes('ahead'))).toMatch(
      /^Waiting for a free slot to Membrane \(1 call ahead, --max-concurrency\), \d+ s$/,
    );
    expect(seen.flat().some((p) => /^Running "list-leads"/.test(p.message ?? ''))).toBe(true);
  }, 60_000);
});
