// `membrane-sandbox serve` as a process: its one start-up line, its credentials, its exits (SIGINT,
// SIGTERM, the end of its stdin pipe when the parent dies) with nothing left behind, and its errors.
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runSandbox, SANDBOX_CLI, tempDb, type Json } from '../helpers/sandbox.js';
import { mintToken, spawnSandboxApi } from '../helpers/spawn-sandbox-api.js';
import { isAlive, procAvailable, waitForNoSandboxProcesses } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';

const db = tempDb('sbx-api-serve-');
afterAll(() => db.cleanup());

const list = (apiUri: string, token: string) => fetch(`${apiUri}/connections`, { headers: { authorization: `Bearer ${token}` } });

describe('start-up', () => {
  it('prints exactly one JSON line on stdout first, a human line on stderr; keys and tenant come from flags and env', async () => {
    // The port is free when picked, but another test's socket may take it before serve binds it: then pick again.
    const start = async () => {
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        try {
          const api = await spawnSandboxApi({
            db: db.path,
            args: [`--port=${port}`, '--host=127.0.0.1', '--workspaceKey=ws-flag'],
            env: {
              MEMBRANE_SANDBOX_TENANT_KEY: 'tenant-env',
              MEMBRANE_SANDBOX_WORKSPACE_SECRET: 's3cret-from-env',
              MEMBRANE_SANDBOX_ACCESS_TOKEN: 'pat-from-env',
            },
          });
          return { api, port };
        } catch (e) {
          if (attempt >= 5 || !/EADDRINUSE/.test(String(e))) throw e;
        }
      }
    };
    const { api, port } = await start();
    try {
      expect(api).toMatchObject({
        apiUri: `http://127.0.0.1:${port}`,
        workspaceKey: 'ws-flag',
        tenantKey: 'tenant-env',
        workspaceSecret: 's3cret-from-env',
        accessToken: 'pat-from-env',
      });
      expect(api.stdout().split('\n').filter(Boolean)).toHaveLength(1);
      expect(api.stderr()).toContain(`listening on http://127.0.0.1:${port}`);
      expect(api.stderr()).not.toContain('s3cret-from-env');
      const token = mintToken({ workspaceKey: 'ws-flag', tenantKey: 'tenant-env' }, 's3cret-from-env', 'HS256');
      expect((await list(api.apiUri, token)).status).toBe(200);
      expect((await list(api.apiUri, 'pat-from-env')).status).toBe(200);
    } finally {
      expect((await api.stop()).exitCode).toBe(0);
    }
  });

  it('with --json the line is the same single line', async () => {
    const api = await spawnSandboxApi({ db: db.path, args: ['--json'] });
    try {
      expect(api.stdout().trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(api.stdout()) as Json).toMatchObject({ apiUri: api.apiUri });
    } finally {
      await api.stop();
    }
  });

  it('refuses bad arguments (exit 2), a busy port (exit 1), and prints no line then', async () => {
    const first = await spawnSandboxApi({ db: db.path });
    try {
      const port = new URL(first.apiUri).port;
      const runServe = (args: string[], env: Record<string, string> = {}) =>
        execa(process.execPath, [SANDBOX_CLI, 'serve', ...args], {
          reject: false,
          stdin: 'ignore',
          timeout: 20_000,
          env: { MEMBRANE_SANDBOX_DB: db.path, ...env },
        });
      const [badPort, extra, busy, badFault, badToken] = await Promise.all([
        runServe(['--port=abc']),
        runServe(['now']),
        runServe([`--port=${port}`]),
        runServe([], { MEMBRANE_SANDBOX_FAULT: 'explode' }),
        runServe([], { MEMBRANE_SANDBOX_ACCESS_TOKEN: 'not-a-pat' }),
      ]);
      for (const r of [badPort, extra, badFault, badToken]) {
        expect(r.exitCode, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
      }
      expect(busy.exitCode).toBe(1);
      expect(busy.stdout).toBe('');
      expect(busy.stderr).toMatch(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: exit 0 at once, even with a held request and an open keep-alive connection',
    async (signal) => {
      const local = tempDb('sbx-api-stop-');
      try {
        const api = await spawnSandboxApi({ db: local.path, env: { MEMBRANE_SANDBOX_FAULT: 'hang' } });
        const held = fetch(`${api.apiUri}/connections`, { headers: { authorization: `Bearer ${api.accessToken}` } }).then(
          () => 'answered',
          () => 'dropped',
        );
        const started = Date.now();
        const end = await api.stop(signal);
        expect(end).toMatchObject({ exitCode: 0 });
        expect(Date.now() - started).toBeLessThan(5000);
        expect(await held).toBe('dropped');
        expect(await waitForNoSandboxProcesses(local.path)).toEqual([]);
      } finally {
        local.cleanup();
      }
    },
  );

  it('stdin closed: exit 0', async () => {
    const api = await spawnSandboxApi({ db: db.path });
    api.proc.stdin.end();
    const r = await api.proc;
    expect(r.exitCode).toBe(0);
    expect(r.signal).toBeUndefined();
  });

  it('its parent dies (SIGKILL): serve sees its stdin pipe end and exits, no orphan', async () => {
    const local = tempDb('sbx-api-orphan-');
    // The parent spawns serve with a piped stdin and hands on serve's stdout, then just lives.
    const parentScript = `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, [${JSON.stringify(SANDBOX_CLI)}, 'serve'], { stdio: ['pipe', 'inherit', 'inherit'] });
      setInterval(() => {}, 1 << 30);
    `;
    const parent = execa(process.execPath, ['-e', parentScript], {
      reject: false,
      stdin: 'ignore',
      env: { MEMBRANE_SANDBOX_DB: local.path },
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: parent.stdout }).once('line', resolve);
        setTimeout(() => reject(new Error('no line from serve')), 20_000);
      });
      const { apiUri, accessToken } = JSON.parse(line) as { apiUri: string; accessToken: string };
      expect((await list(apiUri, accessToken)).status).toBe(200);
      parent.kill('SIGKILL');
      await parent;
      if (procAvailable) {
        expect(await waitForNoSandboxProcesses(local.path, 10_000)).toEqual([]);
      } else {
        await expect(list(apiUri, accessToken)).rejects.toThrow();
      }
    } finally {
      if (parent.pid !== undefined && isAlive(parent.pid)) parent.kill('SIGKILL');
      local.cleanup();
    }
  });
});

describe('one store, two fronts', () => {
  it('what the API creates the CLI sees, and the other way round', async () => {
    const api = await spawnSandboxApi({ db: db.path });
    try {
      const headers = { authorization: `Bearer ${api.accessToken}`, 'content-type': 'application/json' };
      const connections = ((await (await fetch(`${api.apiUri}/connections`, { headers })).json()) as Json).items as Json[];
      const oneId = connections.find((c) => c.connectorKey === '1crm')!.id as string;
      const viaApi = (await (
        await fetch(`${api.apiUri}/actions`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ intent: 'close the ticket', connectionId: oneId }),
        })
      ).json()) as Json;
      const seenByCli = await runSandbox(['action', 'get', viaApi.id as string, '--json'], { db: db.path });
      expect(seenByCli.json).toMatchObject({ id: viaApi.id, key: viaApi.key, connectionId: oneId });

      const viaCli = (await runSandbox(['action', 'create', 'create a new product', `--connectionId=${oneId}`, '--json'], { db: db.path }))
        .json as Json;
      const seenByApi = (await (await fetch(`${api.apiUri}/actions/${String(viaCli.id)}`, { headers })).json()) as Json;
      expect(seenByApi).toMatchObject({ id: viaCli.id, key: viaCli.key, name: viaCli.name });

      // The same search gives the same ranking on both fronts.
      const cliSearch = (
        await runSandbox(['action', 'list', `--connectionId=${oneId}`, '--intent=close a case', '--limit=5', '--json'], { db: db.path })
      ).json as Json;
      const apiSearch = (await (
        await fetch(`${api.apiUri}/actions?connectionId=${oneId}&intent=close%20a%20case&limit=5`, { headers })
      ).json()) as Json;
      expect((apiSearch.items as Json[]).map((a) => a.id)).toEqual((cliSearch.items as Json[]).map((a) => a.id));
    } finally {
      await api.stop();
    }
  });

  it('the same fault gives the same ErrorData on both fronts', async () => {
    const seeded = await runSandbox(['connection', 'list', '--json'], { db: db.path });
    const amoId = ((seeded.json as Json).items as Json[]).find((c) => c.connectorKey === 'amocrm')!.id as string;
    const cases: { fault: string; cli: string[]; api: { path: string; method?: string; body?: unknown }; status: number }[] = [
      { fault: 'expired-token', cli: ['connection', 'list'], api: { path: '/connections' }, status: 401 },
      { fault: 'api-rate-limit', cli: ['connection', 'list'], api: { path: '/connections' }, status: 429 },
      { fault: 'not-found', cli: ['connection', 'get', amoId], api: { path: `/connections/${amoId}` }, status: 404 },
      {
        fault: 'action-create-forbidden',
        cli: ['action', 'create', 'create a deal', `--connectionId=${amoId}`],
        api: { path: '/actions', method: 'POST', body: { intent: 'create a deal', connectionId: amoId } },
        status: 403,
      },
    ];
    for (const c of cases) {
      const api = await spawnSandboxApi({ db: db.path, env: { MEMBRANE_SANDBOX_FAULT: c.fault } });
      try {
        const [cli, res] = await Promise.all([
          runSandbox([...c.cli, '--json'], { db: db.path, env: { MEMBRANE_SANDBOX_FAULT: c.fault } }),
          fetch(api.apiUri + c.api.path, {
            method: c.api.method ?? 'GET',
            headers: { authorization: `Bearer ${api.accessToken}`, 'content-type': 'application/json' },
            ...(c.api.body ? { body: JSON.stringify(c.api.body) } : {}),
          }),
        ]);
        expect(cli.exitCode, c.fault).toBe(1);
        expect(res.status, c.fault).toBe(c.status);
        expect(await res.json(), c.fault).toEqual(cli.json);
      } finally {
        await api.stop();
      }
    }
  });
});
