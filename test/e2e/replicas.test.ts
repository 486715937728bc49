// Two replicas of the built server on one Redis (`--state redis://…`, a redis-server this file starts) and one
// Membrane API (`membrane-sandbox serve`), with a round-robin client as the load balancer: whatever one replica
// stored (a result page, a confirmation token, a write's guard record, a dialog's ticket) the other honours. A
// third replica on `--state memory` is the control: it cannot see what the pair stored. Then the health and
// readiness endpoints, and a Redis that is unreachable at start, or lost mid-run and back.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { type ToolResult, err, ok } from '../helpers/mcp.js';
import { freePort } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import {
  connectThrough,
  newStateSecret,
  productNames,
  roundRobin,
  startReplica,
  type Replica,
  type RoundRobin,
} from '../helpers/replicas.js';
import { SERVER_CLI, tempDb } from '../helpers/sandbox.js';
import { spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';
import { answerDialogs } from '../helpers/dialogs.js';

const db = tempDb('replicas-');
let redis: RedisServer;
let sandbox: SpawnedSandboxApi;
let a: Replica;
let b: Replica;
let memoryOnly: Replica;
const secret = newStateSecret();
const clients: Client[] = [];

/** Server flags every replica of this file shares (the api backend on the sandbox's REST front, 1CRM only). */
const common = () => [
  '--backend=api',
  `--api-uri=${sandbox.apiUri}`,
  '--connectors=1crm',
  '--max-result-chars=3000',
  '--log-level=warning',
];
const env = () => ({ MEMBRANE_ACCESS_TOKEN: sandbox.accessToken, MEMBRANE_CRM_STATE_SECRET: secret });

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), spawnSandboxApi({ db: db.path })]);
  [a, b, memoryOnly] = await Promise.all([
    startReplica([...common(), `--state=${redis.url}`], env()),
    startReplica([...common(), `--state=${redis.url}`], env()),
    startReplica([...common(), '--state=memory'], env()),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all([a, b, memoryOnly].map((r) => r?.stop()));
  await sandbox?.stop();
  await redis?.close();
  db.cleanup();
});

/** A client behind a round-robin over `replicas` (pin it to send every request to one). */
async function balanced(replicas: Replica[], opts: Parameters<typeof connectThrough>[2] = {}): Promise<{ client: Client; rr: RoundRobin }> {
  const rr = roundRobin(replicas.map((r) => r.url));
  const client = await connectThrough(replicas[0].url, rr.fetch, opts);
  clients.push(client);
  return { client, rr };
}

const call = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args }, { timeout: 60_000 }) as Promise<ToolResult>;

const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

describe('two replicas on one Redis, behind a round-robin client', () => {
  it('a result paged on replica A continues on replica B (and is unknown to a replica with its own memory)', async () => {
    const { client, rr } = await balanced([a, b, memoryOnly]);
    rr.pin(0);
    const first = ok(await call(client, 'onecrm_run_action', { actionId: 'list-contacts', input: { limit: 40 } }));
    const truncated = first.truncated as { resultId: string; nextOffset: number; total: number; returned: number };
    expect(truncated).toMatchObject({ total: 40, resultId: expect.stringMatching(/^r_/) });
    rr.pin(1);
    const next = ok(await call(client, 'onecrm_run_action', { resultId: truncated.resultId, offset: truncated.nextOffset }));
    const ids = (r: Record<string, unknown>) => (r.output as { records: { id: string }[] }).records.map((x) => x.id);
    expect(ids(next).length).toBeGreaterThan(0);
    expect(ids(next).filter((id) => ids(first).includes(id))).toEqual([]);
    rr.pin(2);
    expect(err(await call(client, 'onecrm_run_action', { resultId: truncated.resultId, offset: truncated.nextOffset })).code).toBe(
      'NOT_FOUND',
    );
  });

  it('a confirmation token issued by A is honoured once on B, and refused on a second use anywhere', async () => {
    const { client, rr } = await balanced([a, b]);
    const made = ok(await call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name: unique('confirm') } }));
    const del = { actionId: 'delete-product', input: { id: (made.output as { id: string }).id } };
    rr.pin(0);
    const asked = err(await call(client, 'onecrm_run_action', del));
    expect(asked.code).toBe('CONFIRMATION_REQUIRED');
    const token = asked.details?.confirm as string;
    rr.pin(1);
    expect(ok(await call(client, 'onecrm_run_action', { ...del, confirm: token })).output).toMatchObject({ deleted: true });
    for (const replica of [0, 1]) {
      rr.pin(replica);
      const again = err(await call(client, 'onecrm_run_action', { ...del, confirm: token, allowRepeat: true }));
      expect(again.code).toBe('CONFIRMATION_REQUIRED');
      expect(again.message).toMatch(/unknown, expired or already used/);
    }
  });

  it('an identical write repeated on the other replica is caught by the repeat guard; racing on both, one runs', async () => {
    const { client, rr } = await balanced([a, b]);
    const name = unique('repeat');
    rr.pin(0);
    ok(await call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name } }));
    rr.pin(1);
    const again = err(await call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name } }));
    expect(again.code).toBe('DUPLICATE_WRITE');
    expect(again.details).toMatchObject({ outcome: 'succeeded' });
    expect(productNames(db.path, name)).toEqual([name]);

    rr.pin(undefined);
    const raced = unique('race');
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name: raced } })),
    );
    expect(new Set(rr.served.slice(-4))).toEqual(new Set([0, 1]));
    const outcomes = results.map((r) => (r.isError ? err(r).code : 'ran')).sort();
    expect(outcomes).toEqual(['DUPLICATE_WRITE', 'DUPLICATE_WRITE', 'DUPLICATE_WRITE', 'ran']);
    expect(productNames(db.path, raced)).toEqual([raced]);
  });

  it('a 2026 confirmation dialog asked by one replica is answered on the other, once', async () => {
    const asked: string[] = [];
    const { client, rr } = await balanced([a, b], {
      era: 'modern',
      capabilities: { elicitation: {} },
      setup: answerDialogs(asked),
    });
    const made = ok(await call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name: unique('dialog') } }));
    const id = (made.output as { id: string }).id;
    const before = rr.served.length;
    const done = ok(await call(client, 'onecrm_run_action', { actionId: 'delete-product', input: { id } }));
    expect(done.output).toMatchObject({ deleted: true });
    expect(asked).toHaveLength(1);
    // The round that asked and the round that carried the answer went to different replicas.
    const rounds = rr.served.slice(before);
    expect(rounds).toHaveLength(2);
    expect(rounds[0]).not.toBe(rounds[1]);
  });
});

describe('health and readiness for a load balancer', () => {
  it('GET /healthz and /readyz need no token and no Host from the allow-list; /readyz says which checks passed', async () => {
    const health = await fetch(`${a.origin}/healthz`, { headers: { host: 'lb.internal' } });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${a.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { state: { ok: true }, backend: { ok: true } } });
    expect((await fetch(`${a.origin}/readyz`, { method: 'POST' })).status).toBe(405);
  });
});

describe('Redis unreachable at start', () => {
  it('exits 2 naming the URL with the password masked', async () => {
    const port = await freePort();
    const r = await execa(
      process.execPath,
      [SERVER_CLI, '--http=0', ...common(), `--state=redis://app:pa55-word-xyz@127.0.0.1:${port}/3`],
      {
        reject: false,
        extendEnv: false,
        stdin: 'ignore',
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env() },
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`cannot reach the state store at redis://app:***@127.0.0.1:${port}/3`);
    expect(r.stderr).not.toContain('pa55-word-xyz');
    expect(r.stdout).toBe('');
  });
});

describe('Redis lost mid-run, then back', () => {
  it('writes and paging fail STATE_UNAVAILABLE and nothing is written; reads work; readiness is 503; all works again once Redis is back', async () => {
    const password = 'lost-and-found-pw-1';
    const own = await startRedisServer({ password });
    const replica = await startReplica([...common(), `--state=${own.url}`], env());
    try {
      const { client } = await balanced([replica]);
      const listed = ok(await call(client, 'onecrm_run_action', { actionId: 'list-contacts', input: { limit: 40 } }));
      const { resultId, nextOffset } = listed.truncated as { resultId: string; nextOffset: number };

      await own.stop('SIGKILL');
      const name = unique('lost');
      const write = err(await call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name } }));
      expect(write.code).toBe('STATE_UNAVAILABLE');
      expect(write.retryable).toBe(true);
      expect(err(await call(client, 'onecrm_run_action', { resultId, offset: nextOffset })).code).toBe('STATE_UNAVAILABLE');
      expect(productNames(db.path, name)).toEqual([]);
      // Reads that need no shared state keep working; a cut read still answers its first part.
      expect(ok(await call(client, 'onecrm_list_connections', {})).connections).not.toHaveLength(0);
      const cut = ok(await call(client, 'onecrm_run_action', { actionId: 'list-contacts', input: { limit: 40 } }));
      expect(cut.truncated).toMatchObject({ nextStep: expect.stringMatching(/STATE_UNAVAILABLE/) });
      expect(cut.truncated).not.toHaveProperty('resultId');

      const notReady = await fetch(`${replica.origin}/readyz`);
      expect(notReady.status).toBe(503);
      const body = await notReady.text();
      expect(JSON.parse(body)).toMatchObject({
        status: 'not ready',
        checks: { state: { ok: false, detail: expect.stringMatching(/STATE_UNAVAILABLE/) } },
      });
      expect(body).not.toContain(password);
      expect(replica.stderr()).not.toContain(password);

      await own.restart();
      let back: ToolResult | undefined;
      for (let i = 0; i < 40; i++) {
        back = await call(client, 'onecrm_run_action', { actionId: 'create-product', input: { name } });
        if (!back.isError) break;
        expect(err(back).code).toBe('STATE_UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(back && ok(back)).toBeTruthy();
      expect(productNames(db.path, name)).toEqual([name]);
      expect((await fetch(`${replica.origin}/readyz`)).status).toBe(200);
    } finally {
      await replica.stop();
      await own.close();
    }
  });
});
