// One replica killed (SIGKILL) in the middle of a bounded load: 200 distinct writes, 20 in flight, sent
// round-robin to two replicas that share Redis and the sandbox's store. A call that got no answer is retried
// (the next request goes to the next replica), as an agent would. What must hold, read from the sandbox's
// store itself: every acknowledged write is there exactly once, and no write ran twice, even when the
// replica that ran it died before answering (its guard record in Redis stops the retry: DUPLICATE_WRITE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { type ToolResult } from '../helpers/mcp.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { connectThrough, newStateSecret, productNames, roundRobin, startReplica, type Replica } from '../helpers/replicas.js';
import { tempDb } from '../helpers/sandbox.js';
import { spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';

const WRITES = 200;
const IN_FLIGHT = 20;
const KILL_AFTER = 60;
const MAX_ATTEMPTS = 6;

const db = tempDb('replica-kill-');
let redis: RedisServer;
let sandbox: SpawnedSandboxApi;
let replicas: Replica[] = [];
let client: Client | undefined;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), spawnSandboxApi({ db: db.path })]);
  const args = [
    '--backend=api',
    `--api-uri=${sandbox.apiUri}`,
    '--connectors=1crm',
    `--state=${redis.url}`,
    '--max-concurrency=16',
    '--log-level=error',
  ];
  const env = { MEMBRANE_ACCESS_TOKEN: sandbox.accessToken, MEMBRANE_CRM_STATE_SECRET: newStateSecret() };
  replicas = await Promise.all([startReplica(args, env), startReplica(args, env)]);
});

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await Promise.all(replicas.map((r) => r.stop()));
  await sandbox?.stop();
  await redis?.close();
  db.cleanup();
});

type Outcome = 'acknowledged' | 'duplicate' | 'failed' | 'no-answer';

describe('a replica killed during a bounded load', () => {
  it('every acknowledged write is in the store exactly once; no write ran twice', async () => {
    const rr = roundRobin(replicas.map((r) => r.url));
    client = await connectThrough(replicas[0].url, rr.fetch);
    const c = client;
    const prefix = `kill-${Date.now().toString(36)}-`;
    const outcomes = new Map<string, Outcome>();
    const otherErrors: string[] = [];
    let acknowledged = 0;
    let killedAt: number | undefined;
    let noAnswers = 0;

    const write = async (name: string): Promise<Outcome> => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        let r: ToolResult;
        try {
          r = (await c.callTool(
            { name: 'onecrm_run_action', arguments: { actionId: 'create-product', input: { name } } },
            { timeout: 30_000 },
          )) as ToolResult;
        } catch {
          noAnswers++;
          continue; // no answer (the replica died, or was dead): the agent retries the same call
        }
        if (!r.isError) return 'acknowledged';
        const code = (r.structuredContent?.error as { code?: string } | undefined)?.code;
        if (code === 'DUPLICATE_WRITE') return 'duplicate';
        otherErrors.push(`${name}: ${code}`);
        return 'failed';
      }
      return 'no-answer';
    };

    let next = 0;
    const worker = async () => {
      while (next < WRITES) {
        const name = `${prefix}${String(next++).padStart(3, '0')}`;
        const outcome = await write(name);
        outcomes.set(name, outcome);
        if (outcome === 'acknowledged' && ++acknowledged === KILL_AFTER) {
          killedAt = acknowledged;
          replicas[1].proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

    const stored = productNames(db.path, prefix);
    const count = (o: Outcome) => [...outcomes.values()].filter((x) => x === o).length;
    const summary = {
      writes: outcomes.size,
      acknowledged: count('acknowledged'),
      duplicate: count('duplicate'),
      noAnswer: count('no-answer'),
      failed: count('failed'),
      requestsWithoutAnswer: noAnswers,
      storedRows: stored.length,
      storedDistinct: new Set(stored).size,
      servedByKilledReplica: rr.served.filter((i) => i === 1).length,
    };
    console.error(`replica kill under load: ${JSON.stringify(summary)}`);

    expect(killedAt).toBe(KILL_AFTER);
    expect(outcomes.size).toBe(WRITES);
    expect(otherErrors).toEqual([]);
    // No write ran twice.
    expect(summary.storedDistinct).toBe(summary.storedRows);
    // Every acknowledged write is in the store, exactly once.
    for (const [name, outcome] of outcomes)
      if (outcome === 'acknowledged')
        expect(
          stored.filter((s) => s === name),
          name,
        ).toHaveLength(1);
    // A stored write that was not acknowledged is one a dead replica ran before answering: its retry was refused.
    for (const name of stored) expect(['acknowledged', 'duplicate', 'no-answer']).toContain(outcomes.get(name));
    // The surviving replica carried the rest of the load.
    expect(summary.acknowledged).toBeGreaterThanOrEqual(WRITES - IN_FLIGHT);
    expect(summary.servedByKilledReplica).toBeGreaterThan(KILL_AFTER / 2);
  });
});
