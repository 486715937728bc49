// Tolerant parsing of what the CLI prints: every shape the contract allows, and
// documents with surprises in them, normalize to the shapes of membrane-client.ts without failing.
import { describe, expect, it } from 'vitest';
import { findJson } from '../../src/membrane/cli/cli-output.js';
import { excerpt } from '../../src/membrane/membrane-errors.js';
import {
  toAction,
  toActions,
  toConnection,
  toConnections,
  toErrorData,
  toProxyResponse,
  toRunResult,
} from '../../src/membrane/response-schemas.js';

const conn = (extra: Record<string, unknown> = {}) => ({
  id: 'con_1',
  name: 'AmoCRM main',
  userId: 'u1',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-02T00:00:00Z',
  state: 'READY',
  disconnected: false,
  ...extra,
});

describe('connections', () => {
  it('reads a list printed as {items, cursor}', () => {
    const list = toConnections({ items: [conn(), conn({ id: 'con_2', name: 'Second' })], cursor: 'abc' });
    expect(list?.map((c) => c.id)).toEqual(['con_1', 'con_2']);
    expect(list?.[0]).toMatchObject({ id: 'con_1', name: 'AmoCRM main', state: 'READY', disconnected: false });
  });

  it('reads a list printed as a bare array', () => {
    expect(toConnections([conn(), conn({ id: 'con_2' })])?.map((c) => c.id)).toEqual(['con_1', 'con_2']);
  });

  it('returns undefined for a document that is not a list', () => {
    expect(toConnections({ id: 'con_1' })).toBeUndefined();
    expect(toConnections('text')).toBeUndefined();
    expect(toConnections(null)).toBeUndefined();
    expect(toConnections({ items: 'nope' })).toBeUndefined();
  });

  it('turns numeric ids into strings', () => {
    expect(toConnection(conn({ id: 12345 }))?.id).toBe('12345');
    expect(toConnections({ items: [{ id: 7 }] })?.[0].id).toBe('7');
  });

  it('skips items without a usable id and keeps the rest', () => {
    const list = toConnections({ items: [{ name: 'no id' }, null, 'str', { id: '' }, { id: { nested: 1 } }, conn({ id: 'ok' })] });
    expect(list?.map((c) => c.id)).toEqual(['ok']);
  });

  it('drops optional fields of the wrong type instead of failing the document', () => {
    const c = toConnection(
      conn({ name: 42, state: ['READY'], disconnected: 'yes', clientAction: 'open it', integration: 'amocrm', connectorKey: 7 }),
    );
    expect(c).toBeDefined();
    expect(c?.id).toBe('con_1');
    expect(c?.name).toBe('con_1'); // name fell back to the id
    expect(c?.state).toBe('READY'); // not disconnected → READY
    expect(c?.disconnected).toBe(false);
    expect(c?.clientAction).toBeUndefined();
    expect(c?.connectorKey).toBeUndefined();
  });

  it('falls back from name to key to id', () => {
    expect(toConnection({ id: 'c1', key: 'main-amo' })?.name).toBe('main-amo');
    expect(toConnection({ id: 'c1' })?.name).toBe('c1');
  });

  it.each([
    ['connectorKey', { connectorKey: 'amocrm' }],
    ['integrationKey', { integrationKey: 'amocrm' }],
    ['integration.key', { integration: { id: 'i1', name: 'AmoCRM', logoUri: 'x', key: 'amocrm' } }],
    ['connector.key', { connector: { key: 'amocrm' } }],
  ])('reads the connector key from %s', (_, extra) => {
    expect(toConnection({ id: 'c1', ...extra })?.connectorKey).toBe('amocrm');
  });

  it('prefers connectorKey over integrationKey over integration.key', () => {
    expect(toConnection({ id: 'c1', connectorKey: 'a', integrationKey: 'b', integration: { key: 'c' } })?.connectorKey).toBe('a');
    expect(toConnection({ id: 'c1', integrationKey: 'b', integration: { key: 'c' } })?.connectorKey).toBe('b');
  });

  it('infers disconnected from state CLIENT_ACTION_REQUIRED and keeps the clientAction', () => {
    const c = toConnection({
      id: 'c1',
      state: 'CLIENT_ACTION_REQUIRED',
      clientAction: {
        type: 'connect',
        description: 'Reconnect AmoCRM',
        uiUrl: 'https://ui.example/connect/c1',
        agentInstructions: 'Ask the user',
        extra: 1,
      },
    });
    expect(c?.disconnected).toBe(true);
    expect(c?.state).toBe('CLIENT_ACTION_REQUIRED');
    expect(c?.clientAction).toEqual({
      type: 'connect',
      description: 'Reconnect AmoCRM',
      uiUrl: 'https://ui.example/connect/c1',
      agentInstructions: 'Ask the user',
    });
  });

  it('an explicit disconnected flag wins, and a disconnected connection without state reads CLIENT_ACTION_REQUIRED', () => {
    expect(toConnection({ id: 'c1', disconnected: true })).toMatchObject({ disconnected: true, state: 'CLIENT_ACTION_REQUIRED' });
    expect(toConnection({ id: 'c1', state: 'READY', disconnected: true })).toMatchObject({ disconnected: true, state: 'READY' });
    expect(toConnection({ id: 'c1' })).toMatchObject({ disconnected: false, state: 'READY' });
  });

  it('reads the connection error from a string or an ErrorData', () => {
    expect(toConnection({ id: 'c1', error: 'token expired' })?.error).toBe('token expired');
    expect(toConnection({ id: 'c1', error: { type: 'connection', message: 'defunct' } })?.error).toBe('defunct');
    expect(toConnection({ id: 'c1', error: 5 })?.error).toBeUndefined();
  });
});

describe('actions', () => {
  const action = {
    id: 'act_1',
    key: 'create-lead',
    name: 'Create lead',
    description: 'Creates a lead',
    type: 'create-data-record',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    outputSchema: { type: 'object' },
    integrationKey: 'amocrm',
    layer: 'integration',
  };

  it('reads lists as {items} and as bare arrays', () => {
    expect(toActions({ items: [action] })?.[0]).toMatchObject({
      id: 'act_1',
      key: 'create-lead',
      name: 'Create lead',
      type: 'create-data-record',
    });
    expect(toActions([action, { id: 9, name: 'Nine' }])?.map((a) => a.id)).toEqual(['act_1', '9']);
    expect(toActions({ nothing: true })).toBeUndefined();
  });

  it('keeps schemas and drops unknown fields from the normalized action', () => {
    const a = toAction(action);
    expect(a?.inputSchema).toEqual(action.inputSchema);
    expect(a).not.toHaveProperty('layer');
    expect(a).not.toHaveProperty('integrationKey');
  });

  it('drops a schema that is not an object', () => {
    const a = toAction({ ...action, inputSchema: 'string', outputSchema: [1, 2] });
    expect(a).toBeDefined();
    expect(a?.inputSchema).toBeUndefined();
    expect(a?.outputSchema).toBeUndefined();
  });

  it('name falls back to key then id; catalog actions with an empty key have no key', () => {
    expect(toAction({ id: 'a1', key: 'list-leads' })?.name).toBe('list-leads');
    expect(toAction({ id: 'a1' })?.name).toBe('a1');
    expect(toAction({ id: 'a1', key: '', name: 'X' })).not.toHaveProperty('key');
  });

  it('skips actions without an id', () => {
    expect(toActions([{ name: 'no id' }, action])?.map((a) => a.id)).toEqual(['act_1']);
  });

  it('reads the build error as a string, as an object, or from errors[]', () => {
    expect(toAction({ id: 'a1', state: 'SETUP_FAILED', error: 'no such entity' })).toMatchObject({
      state: 'SETUP_FAILED',
      error: 'no such entity',
    });
    expect(toAction({ id: 'a1', state: 'SETUP_FAILED', error: { type: 'action_instance_setup', message: 'bad config' } })?.error).toBe(
      'bad config',
    );
    expect(
      toAction({ id: 'a1', state: 'CONFIGURATION_ERROR', errors: [{ foo: 1 }, { message: 'first readable' }, { message: 'second' }] })
        ?.error,
    ).toBe('first readable');
    expect(toAction({ id: 'a1', state: 'READY' })).not.toHaveProperty('error');
    expect(toAction({ id: 'a1', errors: 'not an array' })).toBeDefined();
  });
});

describe('run results', () => {
  it('takes `output` and `actionRunId` from the envelope', () => {
    expect(toRunResult({ output: { id: 5 }, actionRunId: 'run_1' })).toEqual({ output: { id: 5 }, actionRunId: 'run_1' });
  });

  it('keeps a null/empty output and ignores a non-string run id', () => {
    expect(toRunResult({ output: null, actionRunId: 3 })).toEqual({ output: null });
    expect(toRunResult({ output: [] })).toEqual({ output: [] });
  });

  it('takes a document without `output` whole as the output', () => {
    expect(toRunResult({ id: 5, name: 'x' })).toEqual({ output: { id: 5, name: 'x' } });
    expect(toRunResult([1, 2])).toEqual({ output: [1, 2] });
    expect(toRunResult('done')).toEqual({ output: 'done' });
  });
});

describe('proxy responses', () => {
  it('reads {status, headers, body} and lower-cases header names', () => {
    const r = toProxyResponse(
      { status: 201, headers: { 'Content-Type': 'application/json', 'X-Multi': ['a', 'b'], 'X-Num': 5 }, body: { id: 1 } },
      200,
    );
    expect(r).toEqual({ status: 201, headers: { 'content-type': 'application/json', 'x-multi': 'a, b', 'x-num': '5' }, body: { id: 1 } });
  });

  it('reads {statusCode, data}', () => {
    expect(toProxyResponse({ statusCode: 404, data: { error: 'nope' } }, 200)).toEqual({
      status: 404,
      headers: {},
      body: { error: 'nope' },
    });
  });

  it('keeps an empty body (204)', () => {
    expect(toProxyResponse({ status: 204, headers: {}, body: null }, 200)).toEqual({ status: 204, headers: {}, body: null });
  });

  it('takes anything else as a bare body with the fallback status', () => {
    expect(toProxyResponse({ _embedded: { leads: [] } }, 200)).toEqual({ status: 200, headers: {}, body: { _embedded: { leads: [] } } });
    expect(toProxyResponse([1, 2], 200)).toEqual({ status: 200, headers: {}, body: [1, 2] });
    expect(toProxyResponse('plain', 200)).toEqual({ status: 200, headers: {}, body: 'plain' });
    expect(toProxyResponse(null, 200)).toEqual({ status: 200, headers: {}, body: null });
  });

  it('a body with a status but no body/data field, or an out-of-range status, is a bare body', () => {
    const problem = { title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'x' };
    expect(toProxyResponse(problem, 200)).toEqual({ status: 200, headers: {}, body: problem });
    expect(toProxyResponse({ status: 42, body: 'x' }, 200)).toEqual({ status: 200, headers: {}, body: { status: 42, body: 'x' } });
    expect(toProxyResponse({ status: '404', body: 'x' }, 200).status).toBe(200);
  });
});

describe('error data', () => {
  const ed = {
    type: 'bad_request',
    key: 'not_found',
    message: "Connection with id 'conn_123' not found",
    data: { connectionId: 'conn_123' },
  };

  it('reads a bare ErrorData', () => {
    expect(toErrorData(ed)).toMatchObject(ed);
  });

  it('reads {error: ErrorData}', () => {
    expect(toErrorData({ error: ed })).toMatchObject(ed);
  });

  it('reads {error: "<code>", message}', () => {
    expect(toErrorData({ error: 'not_authenticated', message: 'Not logged in' })).toMatchObject({
      key: 'not_authenticated',
      message: 'Not logged in',
    });
    expect(toErrorData({ error: 'boom' })).toMatchObject({ key: 'boom', message: 'boom' });
  });

  it('a successful document with a message field is not an error', () => {
    expect(toErrorData({ id: 'con_1', message: 'Connection is ready' })).toBeUndefined();
    expect(toErrorData({ output: { message: 'Created' } })).toBeUndefined();
    expect(toErrorData({ items: [], message: 'No results' })).toBeUndefined();
  });

  it('non-objects are not errors', () => {
    expect(toErrorData(null)).toBeUndefined();
    expect(toErrorData([ed])).toBeUndefined();
    expect(toErrorData('not_found')).toBeUndefined();
  });

  it('an ErrorData needs a message', () => {
    expect(toErrorData({ type: 'bad_request', key: 'x' })).toBeUndefined();
  });
});

describe('findJson', () => {
  it('parses one document', () => {
    expect(findJson('{"a":1}')).toEqual({ found: true, value: { a: 1 } });
    expect(findJson('  [1,2]\n')).toEqual({ found: true, value: [1, 2] });
  });

  it('finds the JSON after a banner line', () => {
    expect(findJson('Update available: 1.18.0 → 1.19.0\n{"items":[{"id":"c1"}]}')).toEqual({
      found: true,
      value: { items: [{ id: 'c1' }] },
    });
  });

  it('finds pretty-printed JSON after a banner line', () => {
    const pretty = JSON.stringify({ items: [{ id: 'c1' }, { id: 'c2' }] }, null, 2);
    expect(findJson(`Update available: 1.18.0 → 1.19.0\n${pretty}`)).toEqual({
      found: true,
      value: { items: [{ id: 'c1' }, { id: 'c2' }] },
    });
  });

  it('finds pretty-printed JSON after a warning that contains brackets', () => {
    const pretty = JSON.stringify({ type: 'bad_request', key: 'not_found', message: 'nope' }, null, 2);
    const text = `(node:1234) [DEP0040] DeprecationWarning: The \`punycode\` module is deprecated.\n${pretty}\n`;
    expect(findJson(text)).toEqual({ found: true, value: { type: 'bad_request', key: 'not_found', message: 'nope' } });
  });

  it('NDJSON: the last JSON line wins', () => {
    expect(findJson('{"progress":1}\n{"progress":2}\n{"done":true}\n')).toEqual({ found: true, value: { done: true } });
  });

  it('finds JSON embedded in text', () => {
    expect(findJson('Error: request failed {"status":500,"message":"x"} see logs')).toEqual({
      found: true,
      value: { status: 500, message: 'x' },
    });
  });

  it('reports nothing for empty or non-JSON text', () => {
    expect(findJson('')).toEqual({ found: false });
    expect(findJson('   \n\t ')).toEqual({ found: false });
    expect(findJson('Segmentation fault')).toEqual({ found: false });
    expect(findJson('{not json}')).toEqual({ found: false });
  });
});

describe('excerpt', () => {
  it('flattens whitespace to one line', () => {
    expect(excerpt('  a\n\n b\t c  ')).toBe('a b c');
  });

  it('caps the length and says how much was cut', () => {
    const e = excerpt('x'.repeat(1000), 300);
    expect(e.startsWith('x'.repeat(300))).toBe(true);
    expect(e).toContain('700 more characters');
    expect(e.length).toBeLessThan(340);
    expect(excerpt('x'.repeat(5000)).length).toBeLessThan(340);
  });

  it('leaves short text alone', () => {
    expect(excerpt('short', 300)).toBe('short');
  });
});
