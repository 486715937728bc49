// Which connection a call runs on, for every handler that needs one (search_actions, create_action,
// run_action, proxy_request): an explicit id or key, the configured default, the only READY connection; and
// each refusal (ambiguous, none, needs the user, another connector's, unknown id, a connection whose
// connector the backend does not name). Then list_connections: what it lists and the next step it gives in
// each of those situations, its cache and refresh, and a backend failure. Handlers called directly
// (test/helpers/tool-harness.ts) over the shared FakeMembraneClient.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import type { Connection } from '../../src/membrane/membrane-client.js';
import { FakeMembraneClient, fakeConnection } from '../helpers/fake-membrane-client.js';
import { toolHarness } from '../helpers/tool-harness.js';

const amo = (id: string, over: Partial<Connection> = {}) => fakeConnection(id, { name: `AmoCRM ${id}`, connectorKey: 'amocrm', ...over });
const ONECRM = fakeConnection('conn-1crm', { name: '1CRM', connectorKey: '1crm' });
const NEEDS_USER = { state: 'CLIENT_ACTION_REQUIRED', clientAction: { uiUrl: 'https://console.example/reconnect/amo-2' } };

/** One call per handler that needs a connection, and where that handler tells the backend which connection it used. */
const HANDLERS: { suffix: string; args: Record<string, unknown> }[] = [
  { suffix: 'search_actions', args: { intent: 'list leads' } },
  { suffix: 'create_action', args: { description: 'list the leads of a company' } },
  { suffix: 'run_action', args: { actionId: 'list-leads' } },
  { suffix: 'proxy_request', args: { path: '/api/v4/leads' } },
];

/** The connection id of the backend call that did the work (the last call that named one). */
function usedConnection(client: FakeMembraneClient): string | undefined {
  const last = [...client.calls].reverse().find((c) => c.q && 'connectionId' in c.q);
  return (last?.q as { connectionId?: string } | undefined)?.connectionId;
}

interface Resolution {
  name: string;
  connections: Connection[];
  settings?: Record<string, unknown>;
  connectionId?: string;
  uses?: string;
  fails?: { code: string; message?: RegExp; nextStep?: RegExp; uiUrl?: string; details?: Record<string, unknown> };
}

const RESOLUTIONS: Resolution[] = [
  { name: 'an explicit id', connections: [amo('amo-1'), amo('amo-2')], connectionId: 'amo-2', uses: 'amo-2' },
  {
    name: 'an explicit key (the id goes to the backend)',
    connections: [amo('amo-1', { key: 'main' }), amo('amo-2')],
    connectionId: 'main',
    uses: 'amo-1',
  },
  {
    name: 'the configured default among several READY',
    connections: [amo('amo-1'), amo('amo-2')],
    settings: { defaultConnections: { amocrm: 'amo-2' } },
    uses: 'amo-2',
  },
  { name: 'the only READY connection of the connector', connections: [amo('amo-1', NEEDS_USER), amo('amo-2'), ONECRM], uses: 'amo-2' },
  {
    name: 'ambiguous: several READY and no default',
    connections: [amo('amo-1'), amo('amo-2')],
    fails: {
      code: 'CONNECTION_AMBIGUOUS',
      message: /2 AmoCRM connections are READY/,
      details: { candidates: expect.any(Array) as unknown },
    },
  },
  {
    name: 'none at all: how to connect, in the backend’s words',
    connections: [ONECRM],
    fails: {
      code: 'CONNECTION_REQUIRED',
      nextStep: /fake connect amocrm.*amocrm_list_connections/,
      details: { command: 'fake connect amocrm' },
    },
  },
  {
    name: 'only one that needs the user: its page',
    connections: [amo('amo-1', NEEDS_USER)],
    fails: { code: 'CONNECTION_NEEDS_USER_ACTION', message: /CLIENT_ACTION_REQUIRED, not READY/, uiUrl: NEEDS_USER.clientAction.uiUrl },
  },
  {
    name: 'READY but disconnected counts as needing the user',
    connections: [amo('amo-1', { disconnected: true })],
    fails: { code: 'CONNECTION_NEEDS_USER_ACTION', nextStep: /fake reconnect amo-1/ },
  },
  {
    name: 'another connector’s connection',
    connections: [amo('amo-1'), ONECRM],
    connectionId: 'conn-1crm',
    fails: { code: 'INVALID_INPUT', message: /belongs to 1crm, not amocrm/ },
  },
  {
    name: 'an unknown id (after a refresh)',
    connections: [amo('amo-1')],
    connectionId: 'nope',
    fails: { code: 'NOT_FOUND', message: /Connection "nope" not found/ },
  },
  {
    name: 'a connection the backend does not name the connector of: found by name, not used',
    connections: [fakeConnection('amo-x', { name: 'AmoCRM main' })],
    fails: { code: 'POLICY_DENIED', nextStep: /--default-connection amocrm=amo-x/, details: { setting: 'defaultConnections' } },
  },
  {
    name: 'the same, named explicitly',
    connections: [fakeConnection('amo-x', { name: 'AmoCRM main' }), ONECRM],
    connectionId: 'amo-x',
    fails: { code: 'POLICY_DENIED', message: /does not say which connector/ },
  },
  {
    name: 'the same, vouched for by --default-connection',
    connections: [fakeConnection('amo-x', { name: 'AmoCRM main' })],
    settings: { defaultConnections: { amocrm: 'amo-x' } },
    uses: 'amo-x',
  },
];

describe.each(HANDLERS)('connection resolution: $suffix', ({ suffix, args }) => {
  it.each(RESOLUTIONS)('$name', async ({ connections, settings, connectionId, uses, fails }) => {
    const client = new FakeMembraneClient({ connections });
    const h = toolHarness({ client, settings: { cache: true, ...settings } });
    const callArgs = { ...args, ...(connectionId ? { connectionId } : {}) };
    if (uses) {
      await h.call(suffix, callArgs);
      expect(usedConnection(client)).toBe(uses);
      return;
    }
    const e = await h.error(suffix, callArgs);
    expect(e.code).toBe(fails!.code);
    if (fails!.message) expect(e.message).toMatch(fails!.message);
    if (fails!.nextStep) expect(e.nextStep).toMatch(fails!.nextStep);
    if (fails!.uiUrl) expect(e.uiUrl).toBe(fails!.uiUrl);
    if (fails!.details) expect(e.details).toMatchObject(fails!.details);
    expect(e.retryable).toBe(false);
    // Nothing reached the backend but the connection list.
    expect(client.calls.every((c) => c.op === 'listConnections')).toBe(true);
  });
});

describe('connection resolution: the connection list', () => {
  it('an unknown id is looked up again without the cache before it is refused', async () => {
    const client = new FakeMembraneClient({ connections: [amo('amo-1')] });
    const h = toolHarness({ client, settings: { cache: true } });
    await h.call('list_connections');
    client.connections.push(amo('amo-new'));
    await h.call('run_action', { actionId: 'list-leads', connectionId: 'amo-new' });
    expect(usedConnection(client)).toBe('amo-new');
    expect(client.callsOf('listConnections')).toHaveLength(2);
  });

  it('a backend failure of the list is the call’s error, unchanged', async () => {
    const client = new FakeMembraneClient().failNext('listConnections', new ToolError('LOGIN_REQUIRED', 'not logged in'));
    const e = await toolHarness({ client }).error('search_actions', { intent: 'list leads' });
    expect(e.code).toBe('LOGIN_REQUIRED');
  });
});

interface Listing {
  name: string;
  connections: Connection[];
  settings?: Record<string, unknown>;
  listed: Record<string, unknown>[];
  nextStep: RegExp;
}

const LISTINGS: Listing[] = [
  {
    name: 'one READY: it is the default; next, search',
    connections: [amo('amo-1'), ONECRM],
    listed: [{ id: 'amo-1', state: 'READY', isDefault: true }],
    nextStep: /^Call amocrm_search_actions with \{"intent":"what you want to do"\}\.$/,
  },
  {
    name: 'several READY: none is the default; pass connectionId',
    connections: [amo('amo-1'), amo('amo-2')],
    listed: [
      { id: 'amo-1', isDefault: false },
      { id: 'amo-2', isDefault: false },
    ],
    nextStep: /^Several connections are READY: pass connectionId/,
  },
  {
    name: 'several READY with a configured default: that one',
    connections: [amo('amo-1'), amo('amo-2')],
    settings: { defaultConnections: { amocrm: 'amo-2' } },
    listed: [
      { id: 'amo-1', isDefault: false },
      { id: 'amo-2', isDefault: true },
    ],
    nextStep: /^Call amocrm_search_actions/,
  },
  {
    name: 'none: how to connect',
    connections: [ONECRM],
    listed: [],
    nextStep: /^No AmoCRM connection\. Ask the user to run `fake connect amocrm`/,
  },
  {
    name: 'none READY: the page that reconnects',
    connections: [amo('amo-1', NEEDS_USER)],
    listed: [{ id: 'amo-1', state: 'CLIENT_ACTION_REQUIRED', clientAction: NEEDS_USER.clientAction }],
    nextStep: /^No connection is READY\. Ask the user to open https:\/\/console\.example\/reconnect\/amo-2 to reconnect/,
  },
  {
    name: 'a connection found only by name: listed as unverified, with how to vouch for it',
    connections: [fakeConnection('amo-x', { name: 'AmoCRM main' })],
    listed: [{ id: 'amo-x', connectorVerified: false }],
    nextStep: /does not say which connector amo-x belong\(s\) to.*--default-connection amocrm=<id>/,
  },
];

describe('list_connections', () => {
  it.each(LISTINGS)('$name', async ({ connections, settings, listed, nextStep }) => {
    const h = toolHarness({ client: new FakeMembraneClient({ connections }), settings });
    const result = await h.call('list_connections');
    expect(result).toMatchObject({ backend: 'sandbox-cli', connector: 'amocrm' });
    expect(result.connections).toHaveLength(listed.length);
    listed.forEach((l, i) => expect((result.connections as unknown[])[i]).toMatchObject(l));
    expect(result.nextStep).toMatch(nextStep);
  });

  it('lists only the connector’s own connections', async () => {
    const h = toolHarness();
    const amoList = await h.call('list_connections');
    const oneList = await h.call('list_connections', {}, { connector: '1crm' });
    expect((amoList.connections as { id: string }[]).map((c) => c.id)).toEqual(['conn-amo']);
    expect((oneList.connections as { id: string }[]).map((c) => c.id)).toEqual(['conn-1crm']);
  });

  it('answers from the 30 s cache; refresh asks the backend again', async () => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client, settings: { cache: true } });
    await h.call('list_connections');
    await h.call('list_connections');
    expect(client.callsOf('listConnections')).toHaveLength(1);
    await h.call('list_connections', { refresh: true });
    expect(client.callsOf('listConnections')).toHaveLength(2);
  });

  it('a backend failure is the call’s error (LOGIN_REQUIRED, a crash)', async () => {
    const client = new FakeMembraneClient()
      .failNext('listConnections', new ToolError('LOGIN_REQUIRED', 'Membrane refused the login'))
      .failNext('listConnections', new TypeError('boom'));
    const h = toolHarness({ client });
    expect((await h.error('list_connections')).code).toBe('LOGIN_REQUIRED');
    await expect(h.call('list_connections', { refresh: true })).rejects.toThrow(TypeError);
  });

  it('refuses arguments it does not know (strict input)', async () => {
    const e = await toolHarness().error('list_connections', { refresh: true, connectionId: 'x' });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fields).toEqual([{ field: 'connectionId', problem: 'is not an argument of this tool' }]);
  });
});
