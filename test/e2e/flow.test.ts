// The whole agent flow over real stdio, per connector: list connections → search → run → read back with
// proxy_request → build a new action with create_action → run it. On every backend: the sandbox through its CLI and
// through its REST API (the embedded default), and the real-API-shaped run: the server in auto mode pointed at a
// separately started `membrane-sandbox serve` with its printed credentials (a `pat-` token, or the workspace key +
// secret + tenant trio), as a user points it at Membrane's own API, which must choose the api backend (membrane-api).
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type ServerHandle, ok, serverPool, type StartOptions } from '../helpers/mcp.js';
import { type CredentialStyle, realApiEnv, spawnSandboxApi, type SpawnedSandboxApi } from '../helpers/spawn-sandbox-api.js';

interface Setup {
  name: string;
  /** The backend every result must name. */
  backend: string;
  sandbox: boolean;
  options(db: string): Promise<StartOptions>;
}

const apis: SpawnedSandboxApi[] = [];
const realApiShaped = (style: CredentialStyle): Setup => ({
  name: `membrane-api (${style === 'token' ? 'MEMBRANE_ACCESS_TOKEN' : 'workspace key, secret and tenant'}, at membrane-sandbox serve)`,
  backend: 'membrane-api',
  sandbox: false,
  async options(db) {
    const api = await spawnSandboxApi({ db });
    apis.push(api);
    return { db, env: realApiEnv(api, style) };
  },
});

const SETUPS: Setup[] = [
  ...BACKENDS.map((b) => ({ name: b.name, backend: b.name, sandbox: true, options: async () => ({ backend: b }) })),
  realApiShaped('token'),
  realApiShaped('workspace'),
];

interface FlowCase {
  connector: string;
  prefix: string;
  intent: string;
  createKey: string;
  input: Record<string, unknown>;
  readPath: (id: string) => string;
  readName: (body: Record<string, unknown>) => unknown;
  expectedName: string;
  /** A read action no prebuilt one covers exactly, and its input. */
  buildDescription: string;
  buildInput: Record<string, unknown>;
}

const cases: FlowCase[] = [
  {
    connector: 'amocrm',
    prefix: 'amocrm',
    intent: 'create a lead',
    createKey: 'create-lead',
    input: { name: 'E2E deal: Acme renewal', price: 4200 },
    readPath: (id) => `/api/v4/leads/${id}`,
    readName: (body) => body.name,
    expectedName: 'E2E deal: Acme renewal',
    buildDescription: 'list the sales pipelines',
    buildInput: { limit: 3 },
  },
  {
    connector: '1crm',
    prefix: 'onecrm',
    intent: 'create an account',
    createKey: 'create-account',
    input: { name: 'E2E Account Ltd', industry: 'Banking' },
    readPath: (id) => `/data/Account/${id}`,
    readName: (body) => (body.record as Record<string, unknown>).name,
    expectedName: 'E2E Account Ltd',
    buildDescription: 'list all projects',
    buildInput: { limit: 3 },
  },
];

const pool = serverPool();
afterAll(async () => {
  await pool.closeAll();
  await Promise.all(apis.map((a) => a.stop()));
});

describe.each(SETUPS)('on $name', (setup) => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await pool.start(await setup.options(pool.dir('flow-').path));
  });

  describe('tools/list', () => {
    it('lists the five tools for each built-in connector with valid schemas and all four hints', async () => {
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        [
          'amocrm_create_action',
          'amocrm_list_connections',
          'amocrm_proxy_request',
          'amocrm_run_action',
          'amocrm_search_actions',
          'onecrm_create_action',
          'onecrm_list_connections',
          'onecrm_proxy_request',
          'onecrm_run_action',
          'onecrm_search_actions',
        ].sort(),
      );
      const ajv = new Ajv.default({ strict: false });
      for (const t of tools) {
        expect(t.name).toMatch(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/);
        expect(t.description?.length).toBeGreaterThan(40);
        expect(ajv.validateSchema(t.inputSchema), `${t.name} inputSchema`).toBe(true);
        expect(t.inputSchema.type).toBe('object');
        expect(t.outputSchema?.type).toBe('object');
        expect(ajv.validateSchema(t.outputSchema!), `${t.name} outputSchema`).toBe(true);
        for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
          expect(typeof t.annotations?.[hint], `${t.name} ${hint}`).toBe('boolean');
        }
      }
    });

    it('declares logging and explains the flow (and the sandbox, only when it is one) in the instructions', () => {
      expect(server.client.getServerCapabilities()?.logging).toBeDefined();
      const instructions = server.client.getInstructions() ?? '';
      expect(instructions).toMatch(/list_connections.*search_actions.*run_action/s);
      expect(instructions).toMatch(/create_action/);
      expect(instructions).toMatch(/proxy_request/);
      if (setup.sandbox) expect(instructions).toMatch(new RegExp(`SANDBOX.*backend: "${setup.backend}"`));
      else expect(instructions).not.toMatch(/SANDBOX/);
    });
  });

  describe.each(cases)('the whole flow on $connector', (c) => {
    it('lists connections → searches → runs → reads back → builds and runs a new action', async () => {
      const listed = ok(await server.call(`${c.prefix}_list_connections`));
      expect(listed.backend).toBe(setup.backend);
      expect(listed.connector).toBe(c.connector);
      const connections = listed.connections as { id: string; state: string; isDefault: boolean }[];
      expect(connections).toHaveLength(1);
      expect(connections[0]).toMatchObject({ state: 'READY', isDefault: true });
      const connectionId = connections[0].id;

      const found = ok(await server.call(`${c.prefix}_search_actions`, { intent: c.intent, limit: 5 }));
      expect(found.connectionId).toBe(connectionId);
      const actions = found.actions as { id: string; key: string; kind: string; inputs: Record<string, string> }[];
      expect(actions[0].key).toBe(c.createKey);
      expect(actions[0].kind).toBe('write');
      expect(actions[0].inputs).toHaveProperty('name');
      expect(actions[0]).not.toHaveProperty('inputSchema');

      const ran = ok(await server.call(`${c.prefix}_run_action`, { actionId: actions[0].id, input: c.input }));
      expect(ran.backend).toBe(setup.backend);
      expect(ran.actionRunId).toEqual(expect.any(String));
      const created = ran.output as { id: string | number };
      expect(created.id).toBeDefined();

      const read = ok(await server.call(`${c.prefix}_proxy_request`, { path: c.readPath(String(created.id)) }));
      expect(read.status).toBe(200);
      expect(c.readName(read.body as Record<string, unknown>)).toBe(c.expectedName);

      const built = ok(await server.call(`${c.prefix}_create_action`, { description: c.buildDescription, waitSeconds: 20 }));
      expect(built.done).toBe(true);
      const action = built.action as { id: string; state: string; kind: string };
      expect(action.state).toBe('READY');
      expect(action.kind).toBe('read');

      const builtRun = ok(await server.call(`${c.prefix}_run_action`, { actionId: action.id, input: c.buildInput }));
      const records = (builtRun.output as { records: unknown[] }).records;
      expect(records.length).toBeGreaterThan(0);
      expect(records.length).toBeLessThanOrEqual(3);
    });
  });
});
