// `membrane-sandbox serve` with MEMBRANE_SANDBOX_ANY_TENANT=1: a token signed with the workspace secret may
// name any tenant key, and each tenant other than the sandbox's own works on a store of its own
// (`<db>.tenant-<key>`), seeded on first use. Without the switch, such a token stays 401. Tenants never see
// each other's connections or records.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, runSandbox, storeHashes, tempDb } from '../helpers/sandbox.js';
import { epochSeconds, mintToken, spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';

const db = tempDb('sbx-api-tenants-');
let api: SpawnedSandboxApi;
beforeAll(async () => {
  api = await spawnSandboxApi({ db: db.path, env: { MEMBRANE_SANDBOX_ANY_TENANT: '1' } });
});
afterAll(async () => {
  await api?.stop();
  db.cleanup();
});

const tenantToken = (tenant: string) => mintToken({ id: tenant, iss: api.workspaceKey, exp: epochSeconds(600) }, api.workspaceSecret);

async function get(path: string, token: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${api.apiUri}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Json };
}

async function post(path: string, token: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${api.apiUri}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const connectionIds = async (token: string) => ((await get('/connections', token)).body.items as Json[]).map((c) => c.id as string).sort();

describe('any tenant (MEMBRANE_SANDBOX_ANY_TENANT=1)', () => {
  it("another tenant's first request seeds its own store next to the main one", async () => {
    const path = `${db.path}.tenant-acme`;
    expect(existsSync(path)).toBe(false);
    const r = await get('/connections', tenantToken('acme'));
    expect(r.status).toBe(200);
    expect(r.body.items).not.toHaveLength(0);
    expect(existsSync(path)).toBe(true);
  });

  it("a connection added to one tenant's store is seen by that tenant only", async () => {
    await get('/connections', tenantToken('globex')); // seeds globex's store
    const added = await runSandbox(['connect', '--connectorKey=hubspot', '--json'], { db: `${db.path}.tenant-globex` });
    expect(added.exitCode).toBe(0);
    const newId = (added.json as Json).id as string;
    expect(await connectionIds(tenantToken('globex'))).toContain(newId);
    expect(await connectionIds(tenantToken('acme'))).not.toContain(newId);
    expect(await connectionIds(api.accessToken)).not.toContain(newId);
  });

  it("a record written by one tenant changes that tenant's store only", async () => {
    const token = tenantToken('initech');
    const [amo] = ((await get('/connections?integrationKey=amocrm', token)).body.items as Json[]) ?? [];
    const actions = (await get(`/actions?connectionId=${amo.id as string}&intent=create%20a%20lead&limit=1`, token)).body.items as Json[];
    const mainBefore = storeHashes(db.path);
    const acmeBefore = storeHashes(`${db.path}.tenant-acme`);
    const initechBefore = storeHashes(`${db.path}.tenant-initech`);
    const run = await post('/act', token, { id: actions[0].id, connectionId: amo.id, input: { name: 'Initech only' } });
    expect(run.status).toBe(200);
    expect(storeHashes(db.path)).toEqual(mainBefore);
    expect(storeHashes(`${db.path}.tenant-acme`)).toEqual(acmeBefore);
    expect(storeHashes(`${db.path}.tenant-initech`)).not.toEqual(initechBefore);
  });

  it("the sandbox's own tenant and its pat- token keep the main store", async () => {
    expect((await get('/connections', tenantToken(api.tenantKey))).status).toBe(200);
    expect((await get('/connections', api.accessToken)).status).toBe(200);
    expect(existsSync(`${db.path}.tenant-${api.tenantKey}`)).toBe(false);
  });

  it('refuses a tenant key that could not be a file name, and a token not signed with the workspace secret', async () => {
    for (const bad of ['../escape', 'a/b', '', '-dash-first', 'x'.repeat(65)]) {
      const r = await get('/connections', tenantToken(bad));
      expect(r.status, bad).toBe(401);
      expect(r.body).toMatchObject({ key: 'not_authenticated' });
    }
    const forged = mintToken({ id: 'acme', iss: api.workspaceKey }, 'not-the-secret');
    expect((await get('/connections', forged)).status).toBe(401);
  });
});

describe('one tenant only (the default)', () => {
  it('a token for another tenant is 401, and no store is created for it', async () => {
    const one = tempDb('sbx-api-one-tenant-');
    const single = await spawnSandboxApi({ db: one.path });
    try {
      const token = mintToken({ id: 'acme', iss: single.workspaceKey }, single.workspaceSecret);
      const res = await fetch(`${single.apiUri}/connections`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json).message).toMatch(/names a tenant this sandbox does not have/);
      expect(existsSync(`${one.path}.tenant-acme`)).toBe(false);
    } finally {
      await single.stop();
      one.cleanup();
    }
  });
});
