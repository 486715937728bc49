// run_action: the action by id or key (from the cache or `action get`), whether it can run (still building, a
// failed build), the server's rules (read-only, allow and deny by key, id and type: a key an agent chose
// never vouches for a write), its input checked against the action's schema before anything runs, what the
// backend is told (the read/write kind that decides retries), how backend failures come back (a gone action
// drops the cached metadata, a CRM 404 names the ids of the input), and the shaped output. Confirmation,
// the repeat guard and paging have files of their own (write-gate, handler-paging). Handlers called directly
// (test/helpers/tool-harness.ts) over the shared FakeMembraneClient.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { FAKE_ACTIONS, FakeMembraneClient, fakeAction } from '../helpers/fake-membrane-client.js';
import { toolHarness } from '../helpers/tool-harness.js';

/** A read whose name says so but whose Membrane type is unknown: not a proven read. */
const NAMED_READ = fakeAction('list-notes', undefined);
/** A read Membrane vouches for without a data-record type. */
const SAYS_READ_ONLY = fakeAction('export-leads', 'custom', { isReadOnly: true });
const ACTIONS = [...FAKE_ACTIONS, NAMED_READ, SAYS_READ_ONLY];

const INPUTS: Record<string, Record<string, unknown>> = {
  'list-leads': {},
  'create-lead': { name: 'Big deal' },
  'delete-lead': { id: 7 },
  'get-lead': {},
  'list-notes': {},
  'export-leads': {},
};

interface Rule {
  name: string;
  settings: Record<string, unknown>;
  action: string;
  /** The setting named by the denial, or undefined when the action runs. */
  denied?: string;
  message?: RegExp;
}

const RULES: Rule[] = [
  { name: 'read-only: a proven read runs', settings: { readOnly: true }, action: 'list-leads' },
  { name: 'read-only: isReadOnly from Membrane runs', settings: { readOnly: true }, action: 'export-leads' },
  {
    name: 'read-only: a write is refused',
    settings: { readOnly: true },
    action: 'create-lead',
    denied: 'readOnly',
    message: /a write action/,
  },
  {
    name: 'read-only: a delete is refused',
    settings: { readOnly: true },
    action: 'delete-lead',
    denied: 'readOnly',
    message: /a destructive action/,
  },
  {
    name: 'read-only: a read only by its name is refused',
    settings: { readOnly: true },
    action: 'list-notes',
    denied: 'readOnly',
    message: /only its name does/,
  },
  { name: 'deny by key', settings: { denyActions: ['amocrm:delete-lead'] }, action: 'delete-lead', denied: 'denyActions' },
  { name: 'deny by id', settings: { denyActions: ['amocrm:act-delete-lead'] }, action: 'delete-lead', denied: 'denyActions' },
  {
    name: 'deny by type (a renamed delete is still a delete)',
    settings: { denyActions: ['amocrm:delete-*'] },
    action: 'delete-lead',
    denied: 'denyActions',
  },
  {
    name: 'deny by glob of another connector does not apply',
    settings: { denyActions: ['1crm:*'] },
    action: 'delete-lead',
    denied: undefined,
  },
  { name: 'allow by key admits a proven read', settings: { allowActions: ['amocrm:list-leads'] }, action: 'list-leads' },
  {
    name: 'allow by key does not admit a write (whoever builds an action picks its key)',
    settings: { allowActions: ['amocrm:create-lead'] },
    action: 'create-lead',
    denied: 'allowActions',
    message: /matches --allow-actions only by its key/,
  },
  {
    name: 'allow by key does not admit a read only by its name',
    settings: { allowActions: ['amocrm:list-notes'] },
    action: 'list-notes',
    denied: 'allowActions',
    message: /does not prove it only reads/,
  },
  { name: 'allow by type admits a write', settings: { allowActions: ['amocrm:create-data-record'] }, action: 'create-lead' },
  { name: 'allow by id admits a write', settings: { allowActions: ['amocrm:act-create-lead'] }, action: 'create-lead' },
  {
    name: 'not in the allow list',
    settings: { allowActions: ['amocrm:list-*'] },
    action: 'get-lead',
    denied: 'allowActions',
    message: /is not in --allow-actions/,
  },
  {
    name: 'deny wins over allow',
    settings: { allowActions: ['amocrm:*'], denyActions: ['amocrm:list-leads'] },
    action: 'list-leads',
    denied: 'denyActions',
  },
];

describe('run_action: the server’s rules', () => {
  it.each(RULES)('$name', async ({ settings, action, denied, message }) => {
    const client = new FakeMembraneClient({ actions: ACTIONS });
    // confirm never: this table is about the rules, not about confirmation.
    const h = toolHarness({ client, settings: { confirm: 'never', ...settings } });
    const args = { actionId: action, input: INPUTS[action] };
    if (!denied) {
      const result = await h.call('run_action', args);
      expect(result.actionId).toBe(`act-${action}`);
      expect(client.callsOf('runAction')).toHaveLength(1);
      return;
    }
    const e = await h.error('run_action', args);
    expect(e.code).toBe('POLICY_DENIED');
    expect(e.details?.setting).toBe(denied);
    if (message) expect(e.message).toMatch(message);
    expect(e.nextStep).toBeTruthy();
    expect(client.callsOf('runAction')).toEqual([]);
  });
});

describe('run_action: the action', () => {
  it('by key or by id; the result names the action by id and the run; it says what it runs', async () => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client });
    for (const actionId of ['list-leads', 'act-list-leads']) {
      const result = await h.call('run_action', { actionId });
      expect(result).toMatchObject({ backend: 'sandbox-cli', connector: 'amocrm', connectionId: 'conn-amo', actionId: 'act-list-leads' });
      expect(result.actionRunId).toMatch(/^run-/);
    }
    expect(client.callsOf('runAction').map((c) => c.q)).toEqual([
      { actionId: 'act-list-leads', connectionId: 'conn-amo', input: {} },
      { actionId: 'act-list-leads', connectionId: 'conn-amo', input: {} },
    ]);
    expect(h.doing).toEqual(['Running "list-leads" in AmoCRM', 'Running "list-leads" in AmoCRM']);
  });

  it.each([
    {
      name: 'still BUILDING: ACTION_NOT_READY, retryable, with how to wait',
      action: fakeAction('lead-tasks', 'list-data-records', { state: 'BUILDING' }),
      code: 'ACTION_NOT_READY',
      nextStep: /^Wait for it: amocrm_create_action with \{"actionId":"act-lead-tasks"\}/,
    },
    {
      name: 'a failed build: ACTION_BUILD_FAILED',
      action: fakeAction('lead-tasks', 'list-data-records', { state: 'SETUP_FAILED', error: 'no such entity' }),
      code: 'ACTION_BUILD_FAILED',
      nextStep: /amocrm_proxy_request/,
    },
  ])('$name', async ({ action, code, nextStep }) => {
    const client = new FakeMembraneClient({ actions: [action] });
    const e = await toolHarness({ client }).error('run_action', { actionId: 'lead-tasks' });
    expect(e.code).toBe(code);
    expect(e.nextStep).toMatch(nextStep);
    expect(client.callsOf('runAction')).toEqual([]);
  });

  it('still BUILDING under --read-only: wait, without pointing at create_action (not offered)', async () => {
    const client = new FakeMembraneClient({ actions: [fakeAction('lead-tasks', 'list-data-records', { state: 'BUILDING' })] });
    const e = await toolHarness({ client, settings: { readOnly: true } }).error('run_action', { actionId: 'lead-tasks' });
    expect(e.nextStep).toBe('Wait a minute, then call again.');
  });

  it('an unknown action is NOT_FOUND, before anything runs', async () => {
    const client = new FakeMembraneClient();
    const e = await toolHarness({ client }).error('run_action', { actionId: 'nope' });
    expect(e.code).toBe('NOT_FOUND');
    expect(client.callsOf('runAction')).toEqual([]);
  });

  it.each([
    { name: 'a proven read may be retried', action: 'list-leads', kind: 'read' },
    { name: 'isReadOnly from Membrane may be retried', action: 'export-leads', kind: 'read' },
    { name: 'a read only by its name is a write for retries', action: 'list-notes', kind: 'write' },
    { name: 'a write is a write', action: 'create-lead', kind: 'write' },
  ])('tells the backend the kind that decides retries: $name', async ({ action, kind }) => {
    const client = new FakeMembraneClient({ actions: ACTIONS });
    await toolHarness({ client, settings: { confirm: 'never' } }).call('run_action', { actionId: action, input: INPUTS[action] });
    expect(client.callsOf('runAction')[0].opts.kind).toBe(kind);
  });
});

describe('run_action: input', () => {
  it.each([
    { name: 'a required field missing', input: {}, fields: [{ field: 'name', problem: 'is required' }] },
    { name: 'a wrong type', input: { name: 'x', price: 'lots' }, fields: [{ field: 'price', problem: 'must be number' }] },
  ])('$name: INVALID_INPUT with the fields, the inputs summary and the schema; nothing runs', async ({ input, fields }) => {
    const client = new FakeMembraneClient();
    const e = await toolHarness({ client }).error('run_action', { actionId: 'create-lead', input });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/^Input for create-lead is invalid: /);
    expect(e.details?.fields).toEqual(fields);
    expect(e.details?.inputs).toEqual({ name: 'string', 'price?': 'number' });
    expect(e.details?.inputSchema).toEqual(FAKE_ACTIONS[1].inputSchema);
    expect(client.callsOf('runAction')).toEqual([]);
  });

  it.each([
    { name: 'no actionId', args: {}, field: 'actionId' },
    { name: 'an actionId shaped like a flag', args: { actionId: '--help' }, field: 'actionId' },
    { name: 'input that is not an object', args: { actionId: 'list-leads', input: [1] }, field: 'input' },
    { name: 'an unknown shape', args: { actionId: 'list-leads', shape: 'tiny' }, field: 'shape' },
  ])('$name: INVALID_INPUT on $field, nothing asked of the backend', async ({ args, field }) => {
    const h = toolHarness();
    expect(await h.invalidFields('run_action', args)).toContain(field);
    expect(h.client.calls).toEqual([]);
  });
});

describe('run_action: backend failures', () => {
  it.each([
    { failure: new ToolError('NOT_FOUND', 'Action act-list-leads not found'), forgets: true },
    { failure: new ToolError('INVALID_INPUT', 'input does not match'), forgets: true },
    { failure: new ToolError('RATE_LIMITED', 'slow down'), forgets: false },
  ])('$failure.code comes back as is; the cached metadata is dropped: $forgets', async ({ failure, forgets }) => {
    const client = new FakeMembraneClient().failNext('runAction', failure);
    const h = toolHarness({ client, settings: { cache: true } });
    expect((await h.error('run_action', { actionId: 'list-leads' })).code).toBe(failure.code);
    await h.call('run_action', { actionId: 'list-leads' });
    // Looked up once at first; again only when the backend contradicted the cache.
    expect(client.callsOf('getAction')).toHaveLength(forgets ? 2 : 1);
  });

  it('the CRM answers 404 inside the action: NOT_FOUND naming the ids the input carried; nothing was changed', async () => {
    const client = new FakeMembraneClient().failNext(
      'runAction',
      new ToolError('UPSTREAM_ERROR', 'HTTP 404', { details: { status: 404, excerpt: 'not found' } }),
    );
    const e = await toolHarness({ client, settings: { confirm: 'never' } }).error('run_action', {
      actionId: 'delete-lead',
      input: { id: 7, pipeline_id: 'p1', name: 'x' },
    });
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('delete-lead found no record for id 7, pipeline_id "p1" (the CRM answered HTTP 404); nothing was changed');
    expect(e.details).toEqual({ status: 404, excerpt: 'not found', ids: { id: 7, pipeline_id: 'p1' } });
    expect(e.nextStep).toMatch(/amocrm_search_actions/);
  });

  it('another CRM error (a 422) comes back as UPSTREAM_ERROR', async () => {
    const client = new FakeMembraneClient().failNext(
      'runAction',
      new ToolError('UPSTREAM_ERROR', 'HTTP 422', { details: { status: 422 } }),
    );
    const e = await toolHarness({ client }).error('run_action', { actionId: 'create-lead', input: { name: 'x' } });
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 422 } });
  });

  it('a crash inside the backend is not turned into a ToolError here (the registry makes it INTERNAL_ERROR)', async () => {
    const client = new FakeMembraneClient().failNext('runAction', new TypeError('boom'));
    await expect(toolHarness({ client }).call('run_action', { actionId: 'list-leads' })).rejects.toThrow(TypeError);
  });
});

describe('run_action: output', () => {
  const OUTPUT = { records: [{ id: 1, name: 'Lead', note: null, tags: [], _links: { self: 'x' } }], empty: {} };

  it.each([
    { shape: undefined, output: { records: [{ id: 1, name: 'Lead' }] } },
    { shape: 'compact', output: { records: [{ id: 1, name: 'Lead' }] } },
    { shape: 'raw', output: OUTPUT },
  ])('shape $shape', async ({ shape, output }) => {
    const client = new FakeMembraneClient({ answer: { runAction: () => ({ output: OUTPUT }) } });
    const result = await toolHarness({ client }).call('run_action', { actionId: 'list-leads', ...(shape ? { shape } : {}) });
    expect(result.output).toEqual(output);
    expect(result).not.toHaveProperty('actionRunId');
  });

  it('compact keeps the fields the input set, even emptied', async () => {
    const client = new FakeMembraneClient({ answer: { runAction: () => ({ output: { id: 1, name: '', price: null } }) } });
    const result = await toolHarness({ client }).call('run_action', { actionId: 'create-lead', input: { name: '' } });
    // name '' is invalid for no rule of the fake schema (a string), so it runs; name stays, price goes.
    expect(result.output).toEqual({ id: 1, name: '' });
  });

  it('no output at all is null', async () => {
    const client = new FakeMembraneClient({ answer: { runAction: () => ({ output: undefined }) } });
    expect((await toolHarness({ client }).call('run_action', { actionId: 'list-leads' })).output).toBeNull();
  });
});
