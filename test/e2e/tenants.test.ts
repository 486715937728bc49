// Per-caller credentials (`--http-auth membrane`): one server, many tenants, each request carrying its
// caller's own Membrane token. The Membrane API is `membrane-sandbox serve` with MEMBRANE_SANDBOX_ANY_TENANT=1,
// so tokens signed with its workspace secret may name any tenant, each with a store of its own. Two tenants
// through one server never see each other's connections, result pages, confirmation tokens or guarded writes;
// a refused token is 401 at the HTTP layer; no token ever shows in the server's output.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { type ToolResult, err, ok } from '../helpers/mcp.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { connectThrough, newStateSecret, productNames, startReplica, type Replica } from '../helpers/replicas.js';
import { runSandbox, SERVER_CLI, tempDb, type Json } from '../helpers/sandbox.js';
import { epochSeconds, mintToken, spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';

const db = tempDb('tenants-');
let redis: RedisServer;
let sandbox: SpawnedSandboxApi;
let server: Replica;
let acme: Client;
let globex: Client;
let globexConnection: string;
const tokens: string[] = [];

const tenantToken = (tenant: string, ttlSeconds = 3600) => {
  const token = mintToken({ id: tenant, iss: sandbox.workspaceKey, exp: epochSeconds(ttlSeconds) }, sandbox.workspaceSecret);
  tokens.push(token);
  return token;
};

const args = () => [
  '--http-auth=membrane',
  `--api-uri=${sandbox.apiUri}`,
  `--state=${redis.url}`,
  '--max-result-chars=3000',
  '--log-level=debug',
];

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), spawnSandboxApi({ db: db.path, env: { MEMBRANE_SANDBOX_ANY_TENANT: '1' } })]);
  // globex gets a second AmoCRM connection that acme's store does not have.
  const added = await runSandbox(['connect', '--connectorKey=amocrm', '--allowMultipleConnections', '--json'], {
    db: `${db.path}.tenant-globex`,
  });
  globexConnection = (added.json as Json).id as string;
  server = await startReplica(args(), { MEMBRANE_CRM_STATE_SECRET: newStateSecret() });
  [acme, globex] = await Promise.all([
    connectThrough(server.url, fetch, { token: tenantToken('acme') }),
    connectThrough(server.url, fetch, { token: tenantToken('globex') }),
  ]);
});

afterAll(async () => {
  await Promise.all([acme, globex].map((c) => c?.close().catch(() => undefined)));
  await server?.stop();
  await sandbox?.stop();
  await redis?.close();
  db.cleanup();
});

const call = (client: Client, name: string, input: Record<string, unknown>) =>
  client.callTool({ name, arguments: input }, { timeout: 60_000 }) as Promise<ToolResult>;

const connectionIds = async (client: Client) =>
  (ok(await call(client, 'amocrm_list_connections', {})).connections as { id: string }[]).map((c) => c.id);

describe('two tenants through one server', () => {
  it('each sees its own connections (the connection cache is per tenant)', async () => {
    expect(await connectionIds(globex)).toContain(globexConnection);
    expect(await connectionIds(acme)).not.toContain(globexConnection);
    expect(await connectionIds(globex)).toContain(globexConnection);
  });

  it('a resultId of one tenant is NOT_FOUND for the other; a rotated token is a new tenant too', async () => {
    const first = ok(await call(acme, 'onecrm_run_action', { actionId: 'list-contacts', input: { limit: 40 } }));
    const { resultId, nextOffset } = first.truncated as { resultId: string; nextOffset: number };
    const foreign = err(await call(globex, 'onecrm_run_action', { resultId, offset: nextOffset }));
    expect(foreign.code).toBe('NOT_FOUND');
    const rotated = await connectThrough(server.url, fetch, { token: tenantToken('acme', 7200) });
    try {
      expect(err(await call(rotated, 'onecrm_run_action', { resultId, offset: nextOffset })).code).toBe('NOT_FOUND');
    } finally {
      await rotated.close();
    }
    expect(ok(await call(acme, 'onecrm_run_action', { resultId, offset: nextOffset })).output).toBeDefined();
  });

  it('a confirmation token of one tenant confirms nothing for the other, and stays valid for its owner', async () => {
    const made = ok(await call(acme, 'onecrm_run_action', { actionId: 'create-product', input: { name: 'acme-to-delete' } }));
    const del = { actionId: 'delete-product', input: { id: (made.output as { id: string }).id } };
    const asked = err(await call(acme, 'onecrm_run_action', del));
    expect(asked.code).toBe('CONFIRMATION_REQUIRED');
    const token = asked.details?.confirm as string;
    const foreign = err(await call(globex, 'onecrm_run_action', { ...del, confirm: token }));
    expect(foreign.code).toBe('CONFIRMATION_REQUIRED');
    expect(foreign.message).toMatch(/unknown, expired or already used/);
    expect(ok(await call(acme, 'onecrm_run_action', { ...del, confirm: token })).output).toMatchObject({ deleted: true });
  });

  it("the repeat guard is per tenant: the same write by the other tenant runs, in that tenant's store", async () => {
    const input = { actionId: 'create-product', input: { name: 'same-write-both-tenants' } };
    ok(await call(acme, 'onecrm_run_action', input));
    expect(err(await call(acme, 'onecrm_run_action', input)).code).toBe('DUPLICATE_WRITE');
    ok(await call(globex, 'onecrm_run_action', input));
    expect(productNames(`${db.path}.tenant-acme`, 'same-write-both-tenants')).toHaveLength(1);
    expect(productNames(`${db.path}.tenant-globex`, 'same-write-both-tenants')).toHaveLength(1);
    expect(productNames(db.path, 'same-write-both-tenants')).toHaveLength(0);
  });
});

describe('tokens at the HTTP layer', () => {
  const post = (token?: string) =>
    fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });

  it('no token, a token that is not a Membrane token, an expired one, one Membrane refuses: 401 with WWW-Authenticate', async () => {
    const missing = await post();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="membrane-crm-mcp"');
    const cases: [string, RegExp][] = [
      ['not-a-token', /not a Membrane access token/],
      [tenantToken('acme', -60), /expired/],
      [mintToken({ id: 'acme', iss: 'ws', exp: epochSeconds(600) }, 'wrong-secret'), /Membrane refused this access token/],
    ];
    let sentAt = 0;
    let answeredAt = 0;
    for (const [token, message] of cases) {
      sentAt = Date.now();
      const res = await post(token);
      answeredAt = Date.now();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="membrane-crm-mcp", error="invalid_token"');
      const body = (await res.json()) as Json;
      expect(body.error.message).toMatch(message);
      expect(JSON.stringify(body)).not.toContain(token);
    }
    // Membrane refused the last one: this address's next new token waits a second (429), then is served. The pause
    // is certain only when the answer came within a second of sending the refused token (a loaded machine may be slower).
    const held = await post(sandbox.accessToken);
    if (Date.now() - sentAt < 1000) {
      expect(held.status).toBe(429);
      expect(held.headers.get('retry-after')).toBeTruthy();
      expect(((await held.json()) as Json).error.message).toMatch(/just refused an access token from this address/);
    }
    // The second counts from the refusal, which came before its answer (not from the send: Membrane's check takes a while).
    await new Promise((r) => setTimeout(r, Math.max(0, answeredAt + 1100 - Date.now())));
    expect((await post(sandbox.accessToken)).status).toBe(200);
  });

  it('/healthz and /readyz need no token; readiness checks that the API answers', async () => {
    const { origin } = new URL(server.url);
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const ready = await fetch(`${origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { state: { ok: true }, backend: { ok: true } } });
  });

  it('no token shows in the server output, even at debug level', () => {
    const out = server.stderr();
    expect(out).toMatch(/debug/);
    for (const token of [...tokens, sandbox.accessToken]) expect(out).not.toContain(token);
    for (const token of tokens) expect(out).not.toContain(token.split('.')[2]);
  });
});

describe('settings that make no sense with per-caller tokens', () => {
  it('API credentials of its own are refused (exit 2): the server holds none', async () => {
    const r = await execa(process.execPath, [SERVER_CLI, '--http=0', ...args()], {
      reject: false,
      extendEnv: false,
      stdin: 'ignore',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MEMBRANE_ACCESS_TOKEN: sandbox.accessToken },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/holds no credentials of its own: unset MEMBRANE_ACCESS_TOKEN/);
    expect(r.stderr).not.toContain(sandbox.accessToken);
  });
});
