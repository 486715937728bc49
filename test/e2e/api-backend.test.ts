// The built server and its doctor choosing and using the api backend, as users run them, against a local HTTP double
// of Membrane's REST API (test/helpers/membrane-api-double.ts): auto mode with credentials in the environment, the
// configuration errors that stop it (exit 2), and the doctor's API checks and client configurations. The same backend
// against the sandbox's own REST front (membrane-sandbox serve) runs in flow, faults and doctor (membrane-api), and
// as the embedded sandbox-api backend in every end-to-end suite.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiDouble, type ApiDouble } from '../helpers/membrane-api-double.js';
import { startServer, type ServerHandle } from '../helpers/mcp.js';
import { SERVER_CLI } from '../helpers/sandbox.js';

const TOKEN = 'pat-e2e-token-5c1d8e7b';
const WORKSPACE = { key: 'ws-e2e', secret: 'e2e-workspace-secret-91af', tenant: 'tenant-e2e' };

let api: ApiDouble;
beforeAll(async () => {
  api = await startApiDouble({ token: TOKEN, workspace: WORKSPACE });
});
afterAll(() => api.close());

/** Runs the built bin with only the env given (nothing from the developer's shell). */
function run(args: string[], env: Record<string, string>) {
  return execa(process.execPath, [SERVER_CLI, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
    extendEnv: false,
    env: { HOME: process.env.HOME ?? '', PATH: process.env.PATH ?? '', ...env },
  });
}

const ok = (r: Awaited<ReturnType<ServerHandle['call']>>) => {
  expect(r.isError, JSON.stringify(r.structuredContent)).toBeFalsy();
  return r.structuredContent!;
};

describe('the server in auto mode with API credentials', () => {
  let s: ServerHandle;
  beforeAll(async () => {
    s = await startServer({
      args: ['--log-level=debug'],
      env: {
        MEMBRANE_CRM_SANDBOX: '0',
        MEMBRANE_WORKSPACE_KEY: WORKSPACE.key,
        MEMBRANE_WORKSPACE_SECRET: WORKSPACE.secret,
        MEMBRANE_TENANT_KEY: WORKSPACE.tenant,
        MEMBRANE_API_URI: api.url,
      },
    });
  });
  afterAll(() => s.close());

  it('chooses the api backend and says so in every result; the instructions do not claim a sandbox', async () => {
    expect(s.stderr()).toMatch(
      /backend: membrane-api — Membrane REST API at http:\/\/127\.0\.0\.1:\d+ \(API credentials in the environment/,
    );
    expect(s.client.getInstructions()).not.toMatch(/SANDBOX/);
    const listed = ok(await s.call('amocrm_list_connections'));
    expect(listed.backend).toBe('membrane-api');
    expect(listed.connections).toEqual([expect.objectContaining({ id: 'conn-amo', state: 'READY' })]);
  });

  it('search → run: the tools do not know which backend answers', async () => {
    const found = ok(await s.call('amocrm_search_actions', { intent: 'list leads' }));
    expect((found.actions as { key: string }[]).map((a) => a.key)).toContain('list-leads');
    const ran = ok(await s.call('amocrm_run_action', { actionId: 'list-leads', input: { limit: 3 } }));
    expect(ran).toMatchObject({ backend: 'membrane-api', actionId: 'act-list-leads', output: { echo: { limit: 3 } } });
    const proxied = ok(await s.call('amocrm_proxy_request', { path: '/api/v4/leads', query: { limit: 2 } }));
    expect(proxied).toMatchObject({ backend: 'membrane-api', status: 200 });
  });

  it('every request carried a bearer token minted from the workspace secret, and the secret never reached the log', async () => {
    const mine = api.requests.filter((r) => String(r.headers.authorization).startsWith('Bearer eyJ'));
    expect(mine.length).toBeGreaterThan(3);
    expect(mine.every((r) => r.headers['membrane-api-version'])).toBe(true);
    const minted = String(mine[0].headers.authorization).slice('Bearer '.length);
    expect(s.stderr()).toMatch(/api connection list: HTTP 200/);
    expect(s.stderr()).not.toContain(WORKSPACE.secret);
    expect(s.stderr()).not.toContain(minted);
  });
});

describe('settings that stop the server (exit 2) before it serves anything', () => {
  it('partial credentials name the missing variable; the values never show', async () => {
    const r = await run([], { MEMBRANE_WORKSPACE_KEY: 'ws', MEMBRANE_WORKSPACE_SECRET: 'half-a-set-secret-77' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/MEMBRANE_TENANT_KEY is missing/);
    expect(r.stderr).not.toContain('half-a-set-secret-77');
    expect(r.stdout).toBe('');
  });

  it('an API address that is not http(s)', async () => {
    const r = await run([], { MEMBRANE_ACCESS_TOKEN: TOKEN, MEMBRANE_API_URI: 'ftp://api.example' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/MEMBRANE_API_URI\): an http:\/\/ or https:\/\/ URL/);
  });

  it('--backend=api without credentials', async () => {
    const r = await run(['--backend=api'], {});
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--backend=api needs credentials in the environment/);
  });
});

describe('doctor with the api backend', () => {
  it('checks the API, the token, the connections and the round trip; configs pass the token by name only', async () => {
    const r = await run(['doctor', '--json'], { MEMBRANE_ACCESS_TOKEN: TOKEN, MEMBRANE_API_URI: api.url });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      backend: string;
      api: { uri: string; credentials: string[]; sdk: string };
      checks: { id: string; status: string; summary: string; details?: string[] }[];
      latencySource: string;
      clientConfigs: { claudeCode: { mcpJson: string; addCommand: string }; codex: { toml: string }; cursor: { mcpJson: string } };
      notes: string[];
    };
    expect(doc).toMatchObject({
      backend: 'membrane-api',
      api: { uri: api.url, credentials: ['MEMBRANE_ACCESS_TOKEN'], sdk: '@membranehq/sdk 0.28.3' },
    });
    expect(Object.fromEntries(doc.checks.map((c) => [c.id, c.status]))).toEqual({
      node: 'ok',
      config: 'ok',
      api: 'ok',
      login: 'ok',
      'connections:amocrm': 'ok',
      'connections:1crm': 'ok',
      latency: 'ok',
    });
    expect(doc.checks.find((c) => c.id === 'latency')!.summary).toMatch(/round trip through the API$/);
    expect(doc.latencySource).toBe('connection list');
    expect(JSON.parse(doc.clientConfigs.claudeCode.mcpJson).mcpServers['membrane-crm'].env).toEqual({
      MEMBRANE_API_URI: api.url,
      MEMBRANE_ACCESS_TOKEN: '${MEMBRANE_ACCESS_TOKEN}',
    });
    expect(doc.clientConfigs.claudeCode.addCommand).toContain('-s project membrane-crm -e MEMBRANE_API_URI=');
    expect(doc.clientConfigs.claudeCode.addCommand).toContain("-e 'MEMBRANE_ACCESS_TOKEN=${MEMBRANE_ACCESS_TOKEN}'");
    expect(JSON.parse(doc.clientConfigs.cursor.mcpJson).mcpServers['membrane-crm'].env.MEMBRANE_ACCESS_TOKEN).toBe(
      '${env:MEMBRANE_ACCESS_TOKEN}',
    );
    expect(doc.clientConfigs.codex.toml).toContain('env_vars = ["MEMBRANE_ACCESS_TOKEN"]');
    expect(doc.notes.join('\n')).toMatch(/passes MEMBRANE_ACCESS_TOKEN on by name, never by value/);
    expect(r.stdout).not.toContain(TOKEN);
  });

  it('refused credentials: the login check fails with the variable to fix, and the connections are not checked', async () => {
    const r = await run(['doctor'], { MEMBRANE_ACCESS_TOKEN: 'pat-revoked-token-000000', MEMBRANE_API_URI: api.url });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/✗ Login +Membrane refused the credentials \(HTTP 401\) from MEMBRANE_ACCESS_TOKEN/);
    expect(r.stdout).toMatch(/Replace MEMBRANE_ACCESS_TOKEN and MEMBRANE_API_URI in the MCP server's environment/);
    expect(r.stdout).toMatch(/- Connections +not checked: log in first/);
    expect(r.stdout).not.toContain('pat-revoked-token-000000');
  });
});
