// CliRunner against small fake CLIs (test/fixtures/cli/*.mjs run with the current Node): every call is
// bounded in time, output and concurrency, and nothing it started outlives a timeout, a cancel or close().
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { CliRunner, type RunnerOptions } from '../../src/membrane/cli/cli-runner.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'cli');
const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'mcrm-runner-')));
const log = createLogger({ level: 'error', write: () => {} });
const posix = process.platform !== 'win32';

let fileNo = 0;
const tempFile = (name: string) => join(tmp, `${name}-${fileNo++}`);

const runners: CliRunner[] = [];
/** A runner for one fake CLI script; closed after each test. */
function runnerFor(script: string, opts: Partial<RunnerOptions> = {}): CliRunner {
  const r = new CliRunner({
    command: { file: process.execPath, prefixArgs: [join(FIXTURES, script)], display: 'fake-membrane' },
    cwd: tmp,
    maxConcurrency: 4,
    maxOutputBytes: 1 << 20,
    defaultTimeoutMs: 15_000,
    log,
    killGraceMs: 300,
    ...opts,
  });
  runners.push(r);
  return r;
}

/** A runner whose command is `file` itself, not node running a fixture: for the ways a command fails to start. */
const directRunner = (file: string) => runnerFor('', { command: { file, prefixArgs: [], display: 'membrane' } });

/** Pids the hang fixture reported: if a test fails, afterEach still makes sure none outlives it. */
const reported: number[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  for (const pid of reported.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while the process exists (a zombie awaiting its reaper counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Polls until every pid is gone or `ms` pass; returns the ones still alive. */
async function survivors(pids: number[], ms = 5_000): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > until) return alive;
    await sleep(50);
  }
}

/** Waits for the hang fixture's pid file. */
async function pidsFrom(file: string, ms = 10_000): Promise<{ child: number; grandchild: number }> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (existsSync(file)) {
      try {
        const pids = JSON.parse(readFileSync(file, 'utf8')) as { child: number; grandchild: number };
        reported.push(pids.child, pids.grandchild);
        return pids;
      } catch {
        // partially written; poll again
      }
    }
    await sleep(25);
  }
  throw new Error(`no pid file ${file}`);
}

/** The error a run rejects with. */
async function failure(p: Promise<unknown>): Promise<ToolError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ToolError);
  return e as ToolError;
}

describe('CliRunner', () => {
  it('runs the CLI without a shell: hostile arguments arrive verbatim, in the pinned cwd, with NO_COLOR', async () => {
    const args = ['action', 'list', '--intent=$(id); rm -rf / `whoami` | cat', '--name=Сделка 🚀 "quoted"\nnext line', '--json'];
    const res = await runnerFor('echo.mjs').run({ args });
    expect(res.exitCode).toBe(0);
    expect(res.signal).toBeUndefined();
    expect(res.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(res.stdout)).toEqual({ ok: true, args, cwd: tmp, noColor: '1' });
  });

  it('a non-zero exit is a ProcessResult, not an exception', async () => {
    const res = await runnerFor('fail.mjs').run({ args: ['1'] });
    expect(res.exitCode).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ key: 'not_found' });
    expect(res.stderr).toContain('not found');
    expect((await runnerFor('fail.mjs').run({ args: ['137'] })).exitCode).toBe(137);
  });

  it('a CLI killed by a signal we did not send is a ProcessResult with that signal', async () => {
    const res = await runnerFor('signal-self.mjs').run({ args: [] });
    expect(res.signal).toBe('SIGKILL');
    expect(res.exitCode).toBeUndefined();
  });

  it('stdin is ignored: a CLI that reads stdin to the end does not hang', async () => {
    const res = await runnerFor('read-stdin.mjs').run({ args: [], timeoutMs: 10_000 });
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ stdinBytes: 0 });
  });

  it.runIf(posix)('timeout → TIMEOUT, and the child and the grandchild it spawned are gone', async () => {
    const pidFile = tempFile('pids');
    const runner = runnerFor('hang.mjs');
    const e = await failure(runner.run({ args: [pidFile], timeoutMs: 3_000 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/did not finish within 3 s/);
    const { child, grandchild } = await pidsFrom(pidFile, 100);
    expect(await survivors([child, grandchild])).toEqual([]);
    expect(runner.running).toBe(0);
  });

  it.runIf(posix)('an aborted signal → CANCELLED, and the child and grandchild are gone', async () => {
    const pidFile = tempFile('pids');
    const ac = new AbortController();
    const runner = runnerFor('hang.mjs');
    const call = failure(runner.run({ args: [pidFile], signal: ac.signal }));
    const { child, grandchild } = await pidsFrom(pidFile);
    expect(isAlive(child)).toBe(true);
    ac.abort();
    const e = await call;
    expect(e.code).toBe('CANCELLED');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/cancelled by the client/);
    expect(await survivors([child, grandchild])).toEqual([]);
    expect(runner.running).toBe(0);
  });

  it('a signal aborted before the call → CANCELLED without spawning', async () => {
    const log = tempFile('slots');
    const e = await failure(runnerFor('slot.mjs').run({ args: [log, 'never', '0'], signal: AbortSignal.abort() }));
    expect(e.code).toBe('CANCELLED');
    expect(existsSync(log)).toBe(false);
  });

  it('output over maxOutputBytes → OUTPUT_TOO_LARGE with a hint to narrow the call', async () => {
    const runner = runnerFor('big.mjs', { maxOutputBytes: 10_000 });
    const e = await failure(runner.run({ args: ['200000'] }));
    expect(e.code).toBe('OUTPUT_TOO_LARGE');
    expect(e.retryable).toBe(false);
    expect(e.nextStep).toMatch(/Narrow the call/);
    const ok = await runner.run({ args: ['5000'] });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout.length).toBeGreaterThan(5000);
  });

  it('a missing executable → CLI_NOT_FOUND with install instructions', async () => {
    const runner = directRunner(join(tmp, 'no-such-dir', 'membrane'));
    const e = await failure(runner.run({ args: ['connection', 'list', '--json'] }));
    expect(e.code).toBe('CLI_NOT_FOUND');
    expect(e.nextStep).toContain('npm install -g @membranehq/cli');
    expect(e.nextStep).toContain('--sandbox');
    expect(runner.running).toBe(0);
  });

  it('a missing working directory is reported as such, not as a missing CLI', async () => {
    const e = await failure(runnerFor('echo.mjs', { cwd: join(tmp, 'no-such-cwd') }).run({ args: [] }));
    expect(e.code).toBe('CLI_ERROR');
    expect(e.message).toContain('working directory');
    expect(e.nextStep).toContain('--cli-cwd');
  });

  it('a non-executable file → CLI_ERROR saying it could not be started', async () => {
    const runner = directRunner(join(FIXTURES, 'echo.mjs'));
    const e = await failure(runner.run({ args: [] }));
    expect(e.code).toBe('CLI_ERROR');
    expect(e.message).toMatch(/could not be started \(EACCES/);
  });

  it.runIf(process.platform === 'linux')('a command line over the OS limit (E2BIG) → INVALID_INPUT asking to send less', async () => {
    const e = await failure(runnerFor('echo.mjs').run({ args: Array.from({ length: 20 }, () => `--header=X: ${'x'.repeat(110_000)}`) }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.nextStep).toMatch(/Send less/);
  });

  it('6 calls with maxConcurrency 2 never have more than 2 CLIs running at once', async () => {
    const log = tempFile('slots');
    const runner = runnerFor('slot.mjs', { maxConcurrency: 2 });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, runner.running)), 5);
    const calls = [1, 2, 3, 4, 5, 6].map((i) => runner.run({ args: [log, String(i), '400'] }));
    await sleep(0);
    expect(runner.running).toBe(2);
    const results = await Promise.all(calls);
    clearInterval(sampler);
    expect(results.map((r) => JSON.parse(r.stdout).id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(peak).toBe(2);
    expect(runner.running).toBe(0);

    // The CLIs' own view: replay the start/end log and track how many were between start and end.
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(12);
    let inside = 0;
    let maxInside = 0;
    for (const line of lines) {
      inside += line.startsWith('start') ? 1 : -1;
      maxInside = Math.max(maxInside, inside);
    }
    expect(maxInside).toBeLessThanOrEqual(2);
    expect(inside).toBe(0);
    // FIFO: calls 1 and 2 ran first (the two race to log their start; the others cannot start before one of them ends).
    const order = lines.filter((l) => l.startsWith('start')).map((l) => l.split(' ')[1]);
    expect(order.slice(0, 2).sort()).toEqual(['1', '2']);
  });

  it('a queued call whose deadline passes before a slot frees → TIMEOUT naming the queue, and it never spawns', async () => {
    const log = tempFile('slots');
    const runner = runnerFor('slot.mjs', { maxConcurrency: 1 });
    const first = runner.run({ args: [log, 'first', '1500'] });
    const e = await failure(runner.run({ args: [log, 'late', '0'], timeoutMs: 300 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/waiting for a free CLI slot/);
    expect((await first).exitCode).toBe(0);
    await sleep(100);
    const started = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('start'));
    expect(started.map((l) => l.split(' ')[1])).toEqual(['first']);
  });

  it('a queued call that is cancelled → CANCELLED naming the queue, and it never spawns', async () => {
    const log = tempFile('slots');
    const runner = runnerFor('slot.mjs', { maxConcurrency: 1 });
    const first = runner.run({ args: [log, 'first', '1000'] });
    const ac = new AbortController();
    const queued = failure(runner.run({ args: [log, 'queued', '0'], signal: ac.signal }));
    await sleep(100);
    ac.abort();
    const e = await queued;
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/waiting for a free CLI slot/);
    expect((await first).exitCode).toBe(0);
    await sleep(100);
    expect(readFileSync(log, 'utf8')).not.toContain('queued');
  });

  it.runIf(posix)('close() kills running calls (CANCELLED, no process left) and refuses new ones', async () => {
    const pidFile = tempFile('pids');
    const runner = runnerFor('hang.mjs');
    const running = failure(runner.run({ args: [pidFile] }));
    const { child, grandchild } = await pidsFrom(pidFile);
    await runner.close();
    const e = await running;
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/shutting down/);
    expect(await survivors([child, grandchild])).toEqual([]);

    const after = await failure(runner.run({ args: [tempFile('pids')] }));
    expect(after.code).toBe('CANCELLED');
    expect(after.message).toMatch(/shutting down/);
  });

  it('close() right after run() (at any microtask offset) leaves no call running', async () => {
    for (let offset = 0; offset <= 6; offset++) {
      const log = tempFile('slots');
      const runner = runnerFor('slot.mjs');
      const call = failure(runner.run({ args: [log, `offset-${offset}`, '5000'] }));
      for (let i = 0; i < offset; i++) await Promise.resolve();
      await runner.close();
      const e = await call;
      expect(e.code, `offset ${offset}`).toBe('CANCELLED');
    }
  });

  it('close() also stops calls that were still queued, without spawning them', async () => {
    const log = tempFile('slots');
    const runner = runnerFor('slot.mjs', { maxConcurrency: 1 });
    const first = runner.run({ args: [log, 'first', '5000'] });
    const queued = failure(runner.run({ args: [log, 'queued', '0'] }));
    await sleep(300);
    await runner.close();
    expect((await failure(first)).code).toBe('CANCELLED');
    expect((await queued).code).toBe('CANCELLED');
    await sleep(100);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').not.toContain('queued');
  });
});
