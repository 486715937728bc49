// Clean shutdown: with CLI calls in flight, the server stops on stdin end,
// SIGINT or SIGTERM, kills its children (and their process groups), and exits with code 0 within 3 s.
// The server process is ours (RawSession over child_process), so the signal and the exit are measured
// directly; the process table is checked for this test's own sandbox database.
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { type JsonRpcMessage, RawSession } from '../helpers/raw.js';
import { killLeftovers, procAvailable, sandboxProcesses, waitFor, waitForNoSandboxProcesses, type ProcInfo } from '../helpers/processes.js';
import { tempDb } from '../helpers/sandbox.js';

const sessions: RawSession[] = [];
const dbs: ReturnType<typeof tempDb>[] = [];

afterAll(async () => {
  for (const s of sessions) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  for (const d of dbs) {
    killLeftovers(d.path); // only matters when a test failed
    d.cleanup();
  }
});

/** The server's own hard stop is 2.5 s; the issue allows 3 s from the signal to the exit. */
const EXIT_WITHIN_MS = 3000;

type Trigger = 'stdin end' | 'SIGINT' | 'SIGTERM';

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  elapsedMs: number;
  before: ProcInfo[];
  /** What the server answered to the three calls before it exited. */
  answers: JsonRpcMessage[];
  session: RawSession;
  db: string;
}

/** Starts a server, puts `calls` CLI calls in flight under `fault`, stops it with `trigger`. */
async function stopWithCallsInFlight(trigger: Trigger, fault: string, waitForGrandchild = false): Promise<Outcome> {
  const t = tempDb('shutdown-');
  dbs.push(t);
  const session = RawSession.start({ db: t.path, env: { MEMBRANE_SANDBOX_FAULT: fault } });
  sessions.push(session);
  await session.initialize();

  // Three calls in flight. The two with a connectionId first check it against the connection list, so
  // they wait on the same (shared) `connection list` process as the first call: at least one CLI process
  // runs, and every call must still be answered when the server stops.
  const answers: JsonRpcMessage[] = [];
  const calls = [
    session.callTool('onecrm_list_connections', {}),
    session.callTool('amocrm_proxy_request', { path: '/api/v4/leads', connectionId: '3c2ff7afda97bae69c56550a' }),
    session.callTool('onecrm_run_action', { actionId: 'list-accounts', connectionId: 'ff4f31ab36b1fbe17bf41fcc' }),
  ];
  for (const c of calls)
    c.then(
      (m) => answers.push(m),
      () => undefined,
    );

  let before: ProcInfo[] = [];
  if (procAvailable) {
    const ready = await waitFor(() => {
      before = sandboxProcesses(t.path);
      const cli = before.filter((p) => p.kind === 'sandbox').length;
      return cli >= 1 && (!waitForGrandchild || before.filter((p) => p.kind === 'grandchild').length >= 1);
    }, 15_000);
    expect(ready, `processes before the stop: ${JSON.stringify(before.map((p) => p.kind))}`).toBe(true);
  } else {
    await new Promise((r) => setTimeout(r, 1500));
  }
  expect(session.child.exitCode).toBeNull(); // still running with the calls in flight

  const started = Date.now();
  if (trigger === 'stdin end') session.child.stdin!.end();
  else session.child.kill(trigger);
  const { code, signal } = await session.exited;
  const elapsedMs = Date.now() - started;
  // Read stdout to its end: answers written just before the exit may still be in the pipe.
  const stdout = session.child.stdout!;
  if (!stdout.readableEnded) await Promise.race([once(stdout, 'end'), new Promise((r) => setTimeout(r, 2000))]);
  console.error(
    `[shutdown] ${trigger} with ${before.length || 'some'} sandbox processes (${fault}): exit ${code} in ${elapsedMs} ms; ${answers.length}/3 calls answered`,
  );
  return { code, signal, elapsedMs, before, answers, session, db: t.path };
}

/** Every call in flight is answered, as a CANCELLED error result, before the server exits. */
function expectCancelledAnswers(outcome: Outcome): void {
  expect(outcome.answers).toHaveLength(3);
  for (const a of outcome.answers) {
    const result = a.result as { isError?: boolean; structuredContent?: { error?: { code?: string } }; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error?.code).toBe('CANCELLED');
    expect(result.content[0].text).toMatch(/^CANCELLED: .*shutting down/);
  }
}

async function expectNothingLeft(outcome: Outcome): Promise<void> {
  if (!procAvailable) return;
  expect(outcome.before.length).toBeGreaterThan(0);
  // The faults would keep these processes alive for 20 s (latency) or forever (hang): none may survive.
  expect(await waitForNoSandboxProcesses(outcome.db, 2000)).toEqual([]);
}

describe.concurrent('shutdown with calls in flight', () => {
  it('stdin end: exit code 0 within 3 s, no sandbox process left', async () => {
    const o = await stopWithCallsInFlight('stdin end', 'latency=20000');
    expect({ code: o.code, signal: o.signal }).toEqual({ code: 0, signal: null });
    expect(o.elapsedMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(o.session.stderr).toMatch(/shutting down \(stdin (ended|closed)\)/);
    expect(o.session.badLines).toEqual([]);
    expectCancelledAnswers(o);
    await expectNothingLeft(o);
  });

  it('SIGINT: exit code 0 within 3 s, no sandbox process left', async () => {
    const o = await stopWithCallsInFlight('SIGINT', 'latency=20000');
    expect({ code: o.code, signal: o.signal }).toEqual({ code: 0, signal: null });
    expect(o.elapsedMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(o.session.stderr).toMatch(/shutting down \(SIGINT\)/);
    expect(o.session.badLines).toEqual([]);
    expectCancelledAnswers(o);
    await expectNothingLeft(o);
  });

  it('SIGTERM during hanging calls: exit code 0 within 3 s, no membrane-sandbox process or grandchild left', async () => {
    const o = await stopWithCallsInFlight('SIGTERM', 'hang', true);
    expect({ code: o.code, signal: o.signal }).toEqual({ code: 0, signal: null });
    expect(o.elapsedMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(o.session.stderr).toMatch(/shutting down \(SIGTERM\)/);
    expect(o.session.badLines).toEqual([]);
    expectCancelledAnswers(o);
    if (procAvailable) expect(o.before.filter((p) => p.kind === 'grandchild').length).toBeGreaterThanOrEqual(1);
    await expectNothingLeft(o);
  });
});
