// The rules every backend gets from call-safety.ts, over the shared FakeMembraneClient (scripted failures): which calls are reads and are
// retried (and how long each attempt may take), which are writes and never are, and which write failures say the
// write may have been applied.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { asWriteFailure, withCallSafety } from '../../src/membrane/call-safety.js';
import type { MembraneClient } from '../../src/membrane/membrane-client.js';
import { FakeMembraneClient, fakeAction } from '../helpers/fake-membrane-client.js';

type Step = ToolError | 'ok';

/**
 * A backend whose calls fail with the scripted errors, in order, until the first 'ok' (every test calls one
 * operation), recording the options each call was given.
 */
function scripted(steps: Step[]) {
  const failures = steps.slice(0, steps.includes('ok') ? steps.indexOf('ok') : steps.length) as ToolError[];
  const inner = new FakeMembraneClient({ backend: 'membrane-api', actions: [fakeAction('a', 'list-data-records')] });
  for (const op of ['listConnections', 'listActions', 'getAction', 'createAction', 'runAction', 'request'] as const) {
    for (const failure of failures) inner.failNext(op, failure);
  }
  const lines: string[] = [];
  const log = createLogger({ level: 'info', write: (l) => lines.push(l) });
  const client = withCallSafety(inner, { log, defaultTimeoutMs: 10_000, retry: { baseDelayMs: 5, random: () => 0 } });
  return { client, seen: inner.calls, lines, inner };
}

const rateLimited = (after?: number) =>
  new ToolError('RATE_LIMITED', 'slow down', { retryable: true, ...(after !== undefined ? { retryAfterSeconds: after } : {}) });
const serverError = () => new ToolError('MEMBRANE_ERROR', 'internal', { retryable: true });
const timeout = () => new ToolError('TIMEOUT', 'too slow', { retryable: true });
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ToolError,
  );

describe('reads', () => {
  it('are retried on transient failures, at most 3 tries, each with the time left of one deadline', async () => {
    const { client, seen, lines } = scripted([serverError(), rateLimited(), 'ok']);
    await client.listConnections({ timeoutMs: 5000 });
    expect(seen).toHaveLength(3);
    const budgets = seen.map((s) => s.opts?.timeoutMs ?? 0);
    expect(budgets[0]).toBeLessThanOrEqual(5000);
    expect(budgets[2]).toBeLessThanOrEqual(budgets[0]);
    expect(lines.join('')).toMatch(/retrying connection list after MEMBRANE_ERROR \(attempt 2/);
    const { client: again, seen: thrice } = scripted([serverError(), serverError(), serverError(), 'ok']);
    expect(await caught(again.listActions({ connectionId: 'c', intent: 'x', limit: 1 }))).toMatchObject({ code: 'MEMBRANE_ERROR' });
    expect(thrice).toHaveLength(3);
  });

  it('honour Retry-After before the next try', async () => {
    const { client } = scripted([rateLimited(1), 'ok']);
    const started = Date.now();
    await client.getAction({ id: 'a' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('are not retried when the failure is not transient, or when no time is left for another try', async () => {
    const { client, seen } = scripted([new ToolError('NOT_FOUND', 'gone')]);
    expect(await caught(client.getAction({ id: 'a' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(seen).toHaveLength(1);
    const late = scripted([rateLimited(5), 'ok']);
    expect(await caught(late.client.listConnections({ timeoutMs: 2000 }))).toMatchObject({ code: 'RATE_LIMITED' });
    expect(late.seen).toHaveLength(1);
  });

  it('a run the caller vouches for as a read, and a GET or HEAD request, are reads', async () => {
    const run = scripted([serverError(), 'ok']);
    await run.client.runAction({ actionId: 'a', connectionId: 'c' }, { kind: 'read' });
    expect(run.seen).toHaveLength(2);
    for (const method of ['GET', 'HEAD'] as const) {
      const req = scripted([serverError(), 'ok']);
      await req.client.request({ connectionId: 'c', method, path: '/x' });
      expect(req.seen).toHaveLength(2);
    }
  });

  it('a long-poll gets its wait plus a margin (the wait capped at 60 s), unless the caller set a timeout', async () => {
    const { client, seen } = scripted(['ok', 'ok']);
    await client.getAction({ id: 'a', wait: true, timeoutSeconds: 3600 });
    expect(seen[0].opts?.timeoutMs).toBeGreaterThan(60_000);
    expect(seen[0].opts?.timeoutMs).toBeLessThanOrEqual(75_000);
    await client.getAction({ id: 'a', wait: true, timeoutSeconds: 10 }, { timeoutMs: 2000 });
    expect(seen[1].opts?.timeoutMs).toBeLessThanOrEqual(2000);
  });
});

describe('writes', () => {
  it('are never retried, whatever failed', async () => {
    for (const call of [
      (c: MembraneClient) => c.runAction({ actionId: 'a', connectionId: 'c' }),
      (c: MembraneClient) => c.createAction({ description: 'x', connectionId: 'c' }),
      (c: MembraneClient) => c.request({ connectionId: 'c', method: 'POST', path: '/x' }),
      (c: MembraneClient) => c.request({ connectionId: 'c', method: 'DELETE', path: '/x' }),
    ]) {
      const { client, seen } = scripted([rateLimited(), 'ok']);
      expect(await caught(call(client))).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect(seen).toHaveLength(1);
    }
  });

  it('a timeout, a cancel, a crash or a server error may have been applied: not retryable, read first', async () => {
    for (const failure of [
      timeout(),
      new ToolError('CANCELLED', 'stopped', { retryable: false }),
      new ToolError('CLI_ERROR', 'crashed', { retryable: true }),
      new ToolError('OUTPUT_TOO_LARGE', 'big'),
      serverError(),
    ]) {
      const { client } = scripted([failure]);
      const e = (await caught(client.runAction({ actionId: 'a', connectionId: 'c' })))!;
      expect(e).toMatchObject({ code: failure.code, retryable: false });
      expect(e.nextStep).toMatch(/may have been applied: read the record to check before repeating it/);
    }
  });

  it('a write that never started, or that Membrane refused, stays as it was', async () => {
    const neverSent = new ToolError('MEMBRANE_ERROR', 'refused connection', { retryable: true, details: { started: false } });
    expect(asWriteFailure(neverSent)).toBe(neverSent);
    const queued = new ToolError('TIMEOUT', 'waited for a slot', { retryable: true, details: { started: false } });
    expect(asWriteFailure(queued)).toBe(queued);
    const refused = new ToolError('MEMBRANE_ERROR', 'configuration', { retryable: false });
    expect(asWriteFailure(refused)).toBe(refused);
    const denied = new ToolError('ACCESS_DENIED', 'no');
    expect(asWriteFailure(denied)).toBe(denied);
  });
});

describe('the rest passes through', () => {
  it('backend, hints, describe, checkAccess and close are the backend’s own', async () => {
    const { client, inner } = scripted([]);
    expect(client.backend).toBe('membrane-api');
    expect(client.hints).toBe(inner.hints);
    expect(await client.describe()).toEqual(await inner.describe());
    expect(await client.checkAccess()).toMatchObject({ loggedIn: true });
    await expect(client.close()).resolves.toBeUndefined();
  });
});
