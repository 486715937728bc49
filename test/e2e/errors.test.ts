// Every error code of errors.ts provoked end to end through the real server and the real sandbox
// (faults, settings or inputs), on both sandbox backends: the code, the next step where one exists, and the
// `CODE: … Next: …` text. Where a backend answers with another code, the test says why.
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type ServerHandle, type StartOptions, err, ok, serverPool, text, type ToolResult } from '../helpers/mcp.js';
import { waitFor } from '../helpers/processes.js';
import { runSandbox } from '../helpers/sandbox.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

/** Asserts the code, the presence of a next step, and the agent-facing text format. */
function expectCode(r: ToolResult, code: string, withNextStep = true): ReturnType<typeof err> {
  const e = err(r);
  expect(e.code).toBe(code);
  expect(text(r).startsWith(`${code}: `)).toBe(true);
  if (withNextStep) {
    expect(e.nextStep, `${code} nextStep`).toEqual(expect.any(String));
    expect(text(r)).toMatch(new RegExp(`^${code}: .+ Next: .+`, 's'));
  }
  expect(text(r)).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack traces
  return e;
}

async function connectionId(s: ServerHandle, prefix: string): Promise<string> {
  const list = ok(await s.call(`${prefix}_list_connections`));
  return (list.connections as { id: string }[])[0].id;
}

// Not a sandbox backend: the Membrane CLI the settings name is missing.
it('CLI_NOT_FOUND: the configured CLI does not exist; next step says how to install and log in', async () => {
  const s = await pool.start({ env: { MEMBRANE_CRM_SANDBOX: '0', MEMBRANE_CLI: '/nonexistent/bin/membrane' } });
  const e = expectCode(await s.call('amocrm_list_connections'), 'CLI_NOT_FOUND');
  expect(e.nextStep).toMatch(/npm install -g @membranehq\/cli/);
  expect(e.nextStep).toMatch(/membrane login --tenant/);
});

// Each test starts its own servers: they run side by side (most of the time is waiting).
describe.concurrent.each(BACKENDS)('error codes end to end on $name', (backend) => {
  const server = (opts: StartOptions = {}) => pool.start({ backend, ...opts });
  const api = backend.name === 'sandbox-api';

  it('LOGIN_REQUIRED: Membrane refuses the login; the next step says how to fix it on this backend', async () => {
    const s = await server({ env: { MEMBRANE_SANDBOX_FAULT: 'not-logged-in' } });
    const e = expectCode(await s.call('onecrm_list_connections'), 'LOGIN_REQUIRED');
    if (api) {
      // The server made the token up for this start: a restart is the fix, unless the fault refuses every token.
      expect(e.nextStep).toMatch(/restart the MCP server.*MEMBRANE_SANDBOX_FAULT/);
    } else {
      // The exact command for this sandbox: its database and its cli.js.
      expect(e.nextStep).toMatch(/MEMBRANE_SANDBOX_DB=\S+ node \S+cli\.js login --tenant/);
    }
  });

  it('CONNECTION_REQUIRED: no connection for the connector; next step is the connect command', async () => {
    const s = await server({ args: ['--connectors', 'hubspot'] });
    const e = expectCode(await s.call('hubspot_search_actions', { intent: 'create a contact' }), 'CONNECTION_REQUIRED');
    expect(e.nextStep).toMatch(/node \S+cli\.js connect --connectorKey=hubspot/);
    const listed = ok(await s.call('hubspot_list_connections'));
    expect(listed.connections).toEqual([]);
    expect(listed.nextStep).toContain('connect --connectorKey=hubspot');
  });

  it('CONNECTION_AMBIGUOUS: two READY connections and no connectionId; candidates listed', async () => {
    const db = pool.dir('ambiguous-');
    const added = await runSandbox(['connect', '--connectorKey=1crm', '--allowMultipleConnections', '--name=1CRM second', '--json'], {
      db: db.path,
    });
    expect(added.exitCode).toBe(0);
    const s = await server({ db: db.path });
    const e = expectCode(await s.call('onecrm_search_actions', { intent: 'list accounts' }), 'CONNECTION_AMBIGUOUS');
    expect((e.details?.candidates as unknown[]).length).toBe(2);
  });

  it('CONNECTION_NEEDS_USER_ACTION: a disconnected connection; the uiUrl to open', async () => {
    const db = pool.dir('disconnected-');
    const s = await server({ db: db.path });
    const id = await connectionId(s, 'onecrm');
    expect((await runSandbox(['sandbox', 'disconnect', id, '--json'], { db: db.path })).exitCode).toBe(0);
    const listed = ok(await s.call('onecrm_list_connections', { refresh: true }));
    const conn = (listed.connections as { state: string; clientAction?: { uiUrl?: string } }[])[0];
    expect(conn.state).toBe('CLIENT_ACTION_REQUIRED');
    expect(conn.clientAction?.uiUrl).toMatch(/^https:\/\//);
    expect(listed.nextStep).toContain(conn.clientAction!.uiUrl!);
    const e = expectCode(await s.call('onecrm_search_actions', { intent: 'list accounts' }), 'CONNECTION_NEEDS_USER_ACTION');
    expect(e.uiUrl).toBe(conn.clientAction!.uiUrl);
  });

  it('CONNECTION_NEEDS_USER_ACTION from Membrane itself (expired connection at run time)', async () => {
    const s = await server({ env: { MEMBRANE_SANDBOX_FAULT: 'expired-connection' } });
    const e = expectCode(
      await s.call('onecrm_run_action', { actionId: 'list-accounts', connectionId: 'ff4f31ab36b1fbe17bf41fcc' }),
      'CONNECTION_NEEDS_USER_ACTION',
    );
    expect(e.uiUrl ?? e.nextStep).toMatch(/https:\/\/|connect --connectionId/);
  });

  it('NOT_FOUND: unknown action and unknown connection; next step points to the discovery tools', async () => {
    const s = await server();
    const a = expectCode(await s.call('onecrm_run_action', { actionId: 'no-such-action' }), 'NOT_FOUND');
    expect(a.nextStep).toMatch(/onecrm_search_actions/);
    const c = expectCode(await s.call('onecrm_search_actions', { intent: 'x', connectionId: 'ffffffffffffffffffffffff' }), 'NOT_FOUND');
    expect(c.nextStep).toMatch(/onecrm_list_connections/);
  });

  it('INVALID_INPUT: bad tool arguments, and action input that fails its JSON Schema, with the fields', async () => {
    const s = await server();
    const args = expectCode(await s.call('onecrm_search_actions', { intent: '', limit: 99, bogus: 1 }), 'INVALID_INPUT');
    expect((args.details?.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['bogus', 'intent', 'limit']);
    const input = expectCode(
      await s.call('onecrm_run_action', { actionId: 'create-account', input: { employees: 'many' } }),
      'INVALID_INPUT',
    );
    const fields = (input.details?.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toContain('name');
    expect(fields).toContain('employees');
    expect(input.details?.inputs).toHaveProperty('name', 'string');
    expect(input.details?.inputSchema).toHaveProperty('properties');
  });

  it('ACTION_NOT_READY and ACTION_BUILD_FAILED: a build still running, and a build that fails', async () => {
    const s = await server({ env: { MEMBRANE_SANDBOX_BUILD_MS: '20000' } });
    const building = ok(await s.call('onecrm_create_action', { description: 'list all campaigns', waitSeconds: 1 }));
    expect(building.done).toBe(false);
    const id = (building.action as { id: string }).id;
    expect(building.nextStep).toContain(id);
    expectCode(await s.call('onecrm_run_action', { actionId: id }), 'ACTION_NOT_READY');

    const s2 = await server();
    const failed = expectCode(
      await s2.call('onecrm_create_action', { description: 'dance with the moon at midnight', waitSeconds: 20 }),
      'ACTION_BUILD_FAILED',
    );
    expect(failed.message).toMatch(/SETUP_FAILED|CONFIGURATION_ERROR/);
  });

  it('CONFIRMATION_REQUIRED, POLICY_DENIED and DUPLICATE_WRITE', async () => {
    const s = await server();
    const c = expectCode(await s.call('onecrm_run_action', { actionId: 'delete-account', input: { id: 'x' } }), 'CONFIRMATION_REQUIRED');
    expect(c.details?.confirm).toEqual(expect.any(String));
    const first = ok(await s.call('onecrm_run_action', { actionId: 'create-note', input: { name: 'Call back Friday' } }));
    expect(first.output).toHaveProperty('id');
    const dup = expectCode(
      await s.call('onecrm_run_action', { actionId: 'create-note', input: { name: 'Call back Friday' } }),
      'DUPLICATE_WRITE',
    );
    expect(dup.nextStep).toMatch(/allowRepeat/);

    const ro = await server({ args: ['--read-only'] });
    const p = expectCode(await ro.call('onecrm_proxy_request', { method: 'DELETE', path: '/data/Account/x' }), 'POLICY_DENIED');
    expect(p.message).toMatch(/read-only/);
  });

  it('UPSTREAM_ERROR: the CRM answers 4xx, with status and a body excerpt', async () => {
    const s = await server();
    const e = expectCode(await s.call('onecrm_proxy_request', { path: '/data/NoSuchModel' }), 'UPSTREAM_ERROR');
    expect(e.details?.status).toBe(404);
    expect(String(e.details?.body)).toMatch(/not found/i);
    // A 404 inside an action means a record the input names is missing: NOT_FOUND, with the status kept.
    const run = expectCode(await s.call('onecrm_run_action', { actionId: 'get-account', input: { id: 'no-such-id' } }), 'NOT_FOUND');
    expect(run.details?.status).toBe(404);
    expect(run.message).toMatch(/"no-such-id"/);
  });

  it('TIMEOUT: a hanging call is stopped after --cli-timeout', async () => {
    const s = await server({ args: ['--cli-timeout', '2'], env: { MEMBRANE_SANDBOX_FAULT: 'hang' } });
    const started = Date.now();
    const e = expectCode(await s.call('onecrm_list_connections'), 'TIMEOUT');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(e.retryable).toBe(true);
  });

  // The same fault is a CLI printing something that is not JSON, or a gateway answering the API with an HTML 502:
  // the CLI's unreadable output is CLI_ERROR, Membrane's unreadable answer is MEMBRANE_ERROR.
  it(`${api ? 'MEMBRANE_ERROR: an HTML 502 instead of the API' : 'CLI_ERROR: unreadable CLI output'} comes back with an excerpt`, async () => {
    const s = await server({ env: { MEMBRANE_SANDBOX_FAULT: 'garbage' } });
    const e = expectCode(await s.call('onecrm_list_connections'), api ? 'MEMBRANE_ERROR' : 'CLI_ERROR');
    expect(`${String(e.details?.excerpt ?? '')} ${e.message}`).toMatch(/502 Bad Gateway/);
  });

  // 0.01 MB: the CLI prints its JSON indented (about 25 kB for these 40 contacts), the API sends it compact (about 19 kB).
  it('OUTPUT_TOO_LARGE: Membrane output over the cap, with a hint to narrow the call', async () => {
    const s = await server({ args: ['--cli-max-output-mb', '0.01'] });
    const e = expectCode(await s.call('onecrm_run_action', { actionId: 'list-contacts', input: { limit: 200 } }), 'OUTPUT_TOO_LARGE');
    expect(e.nextStep).toMatch(/limit|filter/);
  });

  it('CANCELLED: a client cancel stops the call (the SDK drops the result; the server logs the code)', async () => {
    const s = await server({ env: { MEMBRANE_SANDBOX_FAULT: 'latency=20000' } });
    const controller = new AbortController();
    const pending = s.call('onecrm_list_connections', {}, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 700));
    controller.abort('user pressed stop');
    await expect(pending).rejects.toThrow();
    expect(await waitFor(() => /onecrm_list_connections → CANCELLED/.test(s.stderr()), 10_000)).toBe(true);
  });
});
