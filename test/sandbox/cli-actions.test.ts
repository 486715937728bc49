// action list / get / create / run against the built binary and the real emulations.
import { describe, expect, it } from 'vitest';
import { seededSandbox, type Json } from '../helpers/sandbox.js';

const HEX24 = /^[0-9a-f]{24}$/;
const { ids, run } = seededSandbox('sbx-actions-');

const items = (r: { json: unknown }) => (r.json as Json).items as Json[];
const keys = (r: { json: unknown }) => items(r).map((a) => a.key as string);

describe('action list', () => {
  it('with a connection: the connector prebuilt actions, READY, with schemas and Membrane types', async () => {
    const [one, byKey, info] = await Promise.all([
      run(['action', 'list', `--connectionId=${ids.onecrm}`, '--json']),
      run(['action', 'list', '--connectionKey', '1crm', '--json']),
      run(['sandbox', 'info', '--json']),
    ]);
    expect(one.exitCode).toBe(0);
    const actions = items(one);
    expect(actions.length).toBeGreaterThanOrEqual(12 * 6);
    expect(keys(byKey)).toEqual(keys(one));
    for (const a of actions) {
      expect(a).toMatchObject({
        id: expect.stringMatching(HEX24),
        key: expect.any(String),
        name: expect.any(String),
        description: expect.any(String),
        type: expect.stringMatching(/-data-record|connector-operation/),
        state: 'READY',
        connectionId: ids.onecrm,
        integrationKey: '1crm',
        isReadOnly: expect.any(Boolean),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(a.inputSchema).toMatchObject({ type: 'object' });
      expect(a.outputSchema).toEqual(expect.any(Object));
    }
    expect(keys(one)).toEqual(expect.arrayContaining(['list-accounts', 'create-contact', 'update-case', 'delete-invoice']));
    expect(actions.find((a) => a.key === 'list-accounts')).toMatchObject({ type: 'list-data-records', isReadOnly: true });
    expect(actions.find((a) => a.key === 'create-contact')).toMatchObject({ type: 'create-data-record', isReadOnly: false });
    expect((info.json as Json).actions.prebuilt).toBeGreaterThanOrEqual(actions.length);
  });

  it('without a connection: every connector, intent ignored, no connectionId on prebuilt actions', async () => {
    const [all, withIntent] = await Promise.all([
      run(['action', 'list', '--json']),
      run(['action', 'list', '--intent=create a deal', '--json']),
    ]);
    expect(all.exitCode).toBe(0);
    expect(new Set(items(all).map((a) => a.integrationKey))).toContain('1crm');
    expect(keys(withIntent)).toEqual(keys(all).slice(0, keys(withIntent).length));
    expect(
      items(all)
        .filter((a) => a.integrationKey === '1crm')
        .every((a) => a.connectionId === undefined),
    ).toBe(true);
  });

  it('--intent ranks 1CRM actions: deal → opportunity, company → account, person → contact, ticket → case', async () => {
    const intent = (text: string, extra: string[] = []) =>
      run(['action', 'list', `--connectionId=${ids.onecrm}`, `--intent=${text}`, ...extra, '--json']);
    const [account, person, ticket, deal, limited, spaced] = await Promise.all([
      intent('create an account'),
      intent('find a person by email'),
      intent('close the ticket'),
      intent('create a deal'),
      intent('list companies', ['--limit=3']),
      run(['action', 'list', '--intent', 'create a new company', '--connectionId', ids.onecrm, '--json']),
    ]);
    expect(keys(account)[0]).toBe('create-account');
    expect(keys(account)).toHaveLength(10); // default limit with an intent
    expect(keys(person).slice(0, 3)).toEqual(expect.arrayContaining(['search-contacts']));
    expect(
      keys(person)
        .slice(0, 3)
        .every((k) => k.includes('contact')),
    ).toBe(true);
    expect(keys(ticket).slice(0, 3)).toContain('update-case');
    expect(keys(deal)[0]).toBe('create-opportunity');
    expect(keys(limited)).toHaveLength(3);
    expect(keys(limited)[0]).toBe('list-accounts');
    expect((limited.json as Json).cursor).toEqual(expect.any(String));
    expect(keys(spaced)[0]).toBe('create-account');
  });

  it('--intent: only matching actions, each with a score (0.5 and up: strong); nothing matching gives an empty list', async () => {
    const [deal, nonsense, russian, human] = await Promise.all([
      run(['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=create a deal', '--json']),
      run(['action', 'list', `--connectionId=${ids.amocrm}`, "--intent=what's the weather in Moscow", '--json']),
      run(['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=добавить примечание к контакту', '--limit=1', '--json']),
      run(['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=create a deal', '--limit=1']),
    ]);
    const scored = items(deal) as (Json & { score: number })[];
    expect(scored[0]).toMatchObject({ key: 'create-lead', score: 1 });
    expect(scored.every((a) => a.score > 0 && a.score <= 1)).toBe(true);
    expect(scored.slice(1).every((a) => a.score < 0.5)).toBe(true);
    expect(scored.length).toBeLessThan(25); // not the whole catalog
    expect(nonsense.exitCode).toBe(0);
    expect(nonsense.json).toEqual({ items: [] });
    expect(keys(russian)).toEqual(['add-note']);
    expect(human.stdout).toMatch(/^create-lead\s+READY\s+[0-9a-f]{24}\s+Create lead\s+\(score 1\)/);
  });

  it('human output is one line per action; an unknown connection is not_found', async () => {
    const [human, unknown] = await Promise.all([
      run(['action', 'list', `--connectionId=${ids.onecrm}`, '--intent=delete an invoice', '--limit=2']),
      run(['action', 'list', '--connectionId=ffffffffffffffffffffffff', '--json']),
    ]);
    expect(human.stdout.split('\n')[0]).toMatch(/^delete-invoice\s+READY\s+[0-9a-f]{24}/);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toMatchObject({ key: 'not_found' });
  });
});

describe('action get', () => {
  it('by key with a connection, by id without one, in either flag spelling', async () => {
    const byKey = await run(['action', 'get', 'create-account', '--connectionId', ids.onecrm, '--json']);
    expect(byKey.exitCode).toBe(0);
    const a = byKey.json as Json;
    expect(a).toMatchObject({ key: 'create-account', state: 'READY', connectionId: ids.onecrm, type: 'create-data-record' });
    expect(a.inputSchema.properties).toHaveProperty('name');
    const [byId, human] = await Promise.all([
      run(['action', 'get', a.id, '--json']),
      run(['action', 'get', '--connectionId=' + ids.onecrm, a.id]),
    ]);
    expect(byId.json).toMatchObject({ id: a.id, key: 'create-account', integrationKey: '1crm' });
    expect(human.stdout).toContain('create-account');
  });

  it('unknown action → not_found (1); missing argument → usage (2)', async () => {
    const [unknown, missing] = await Promise.all([
      run(['action', 'get', 'no-such-action', `--connectionId=${ids.onecrm}`, '--json']),
      run(['action', 'get', '--json']),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toEqual({ type: 'bad_request', key: 'not_found', message: "Action with id or key 'no-such-action' not found" });
    expect(missing.exitCode).toBe(2);
  });
});

describe('action run', () => {
  it('runs a prebuilt action: {output, actionRunId}; both argument orders parse', async () => {
    const [first, old] = await Promise.all([
      run(['action', 'run', 'list-accounts', `--connectionId=${ids.onecrm}`, '--input={"limit":2}', '--json']),
      run(['action', 'run', `--connectionId=${ids.onecrm}`, 'list-accounts', '--input', '{"limit":3}', '--json']),
    ]);
    expect(first.exitCode).toBe(0);
    const out = first.json as Json;
    expect(out.actionRunId).toMatch(HEX24);
    expect(out.output.records).toHaveLength(2);
    expect(out.output.cursor).toEqual(expect.any(String));
    expect((old.json as Json).output.records).toHaveLength(3);
  });

  it('a create is visible to get and to request (same data)', async () => {
    const created = await run([
      'action',
      'run',
      'create-account',
      `--connectionId=${ids.onecrm}`,
      '--input={"name":"Sandbox Test Ltd"}',
      '--json',
    ]);
    expect(created.exitCode).toBe(0);
    const { id, record } = (created.json as Json).output;
    expect(record).toMatchObject({ id, name: 'Sandbox Test Ltd' });
    const [got, viaRequest, human] = await Promise.all([
      run(['action', 'run', 'get-account', `--connectionId=${ids.onecrm}`, `--input={"id":"${id}"}`, '--json']),
      run(['request', ids.onecrm, `/data/Account/${id}`, '--json']),
      run(['action', 'run', 'get-account', `--connectionId=${ids.onecrm}`, `--input={"id":"${id}"}`]),
    ]);
    expect((got.json as Json).output).toMatchObject({ id, name: 'Sandbox Test Ltd' });
    expect((viaRequest.json as Json).body.record).toMatchObject({ id, name: 'Sandbox Test Ltd' });
    expect(JSON.parse(human.stdout)).toMatchObject({ id });
  });

  it('input errors: bad JSON, schema violations (all of them, with paths), non-object input', async () => {
    const [badJson, schema, notObject] = await Promise.all([
      run(['action', 'run', 'create-account', `--connectionId=${ids.onecrm}`, '--input={name:', '--json']),
      run(['action', 'run', 'create-account', `--connectionId=${ids.onecrm}`, '--input={"nam":"x","account_type":"Bogus"}', '--json']),
      run(['action', 'run', 'list-accounts', `--connectionId=${ids.onecrm}`, '--input=[1,2]', '--json']),
    ]);
    expect(badJson.exitCode).toBe(1);
    expect(badJson.json).toMatchObject({
      type: 'bad_request',
      key: 'invalid_input',
      message: expect.stringMatching(/^Invalid JSON in --input: /),
    });
    expect(schema.exitCode).toBe(1);
    const e = schema.json as Json;
    expect(e).toMatchObject({ type: 'bad_request', key: 'invalid_input' });
    const paths = (e.data.errors as Json[]).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/name', '/nam', '/account_type']));
    for (const p of e.data.errors as Json[]) expect(p.message).toEqual(expect.any(String));
    expect(schema.stderr.trim().split('\n')).toHaveLength(1);
    expect(notObject.exitCode).toBe(1);
    expect(notObject.json).toMatchObject({ key: 'invalid_input' });
  });

  it('a CRM error is ErrorData action_run with the actionRunId and the CRM response', async () => {
    const r = await run(['action', 'run', 'get-account', `--connectionId=${ids.onecrm}`, '--input={"id":"no-such-id"}', '--json']);
    expect(r.exitCode).toBe(1);
    const e = r.json as Json;
    expect(e).toMatchObject({ type: 'action_run', message: expect.any(String) });
    expect(e.data.actionRunId).toMatch(HEX24);
    expect(e.data.response).toMatchObject({ status: 404, headers: expect.any(Object), data: expect.any(Object) });
  });

  it('values that look like flags stay values: --input=--help, --intent=-X DELETE', async () => {
    const [input, spaced, intent] = await Promise.all([
      run(['action', 'run', 'list-accounts', `--connectionId=${ids.onecrm}`, '--input=--help', '--json']),
      run(['action', 'run', 'list-accounts', `--connectionId=${ids.onecrm}`, '--input', '--help', '--json']),
      run(['action', 'list', `--connectionId=${ids.onecrm}`, '--intent=-X DELETE', '--json']),
    ]);
    for (const r of [input, spaced]) {
      expect(r.exitCode).toBe(1);
      expect(r.json).toMatchObject({ key: 'invalid_input', message: expect.stringMatching(/^Invalid JSON in --input/) });
    }
    expect(intent.exitCode).toBe(0);
    expect(keys(intent)[0]).toMatch(/^delete-/);
  });

  it('connection errors: unknown, missing (usage), another connector, disconnected, expired', async () => {
    const prebuiltId = ((await run(['action', 'get', 'list-accounts', `--connectionId=${ids.onecrm}`, '--json'])).json as Json).id;
    const [unknown, missing, wrongConnector, expired] = await Promise.all([
      run(['action', 'run', 'list-accounts', '--connectionId=ffffffffffffffffffffffff', '--json']),
      run(['action', 'run', 'list-accounts', '--json']),
      run(['action', 'run', prebuiltId, `--connectionId=${ids.amocrm}`, '--json']),
      run(['action', 'run', 'list-accounts', `--connectionId=${ids.onecrm}`, '--json'], { MEMBRANE_SANDBOX_FAULT: 'expired-connection' }),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toMatchObject({ key: 'not_found', message: "Connection with id 'ffffffffffffffffffffffff' not found" });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Usage: membrane-sandbox action run');
    expect(wrongConnector.exitCode).toBe(1);
    expect(wrongConnector.json).toMatchObject({ type: 'bad_request', message: expect.stringContaining('1crm') });
    expect(expired.exitCode).toBe(1);
    expect(expired.json).toMatchObject({ type: 'connection', key: 'connection_is_defunct', data: { connectionId: ids.onecrm } });

    const second = (await run(['connect', '--connectorKey=1crm', '--allowMultipleConnections', '--json'])).json as Json;
    await run(['sandbox', 'disconnect', second.id]);
    const disconnected = await run(['action', 'run', 'list-accounts', `--connectionId=${second.id}`, '--json']);
    expect(disconnected.exitCode).toBe(1);
    expect(disconnected.json).toMatchObject({
      type: 'connection',
      key: 'connection_is_defunct',
      data: { connectionId: second.id, uiUrl: `https://sandbox.membrane.local/connections/${second.id}/reconnect` },
    });
    await run(['connect', `--connectionId=${second.id}`]);
    const reconnected = await run(['action', 'run', 'list-accounts', `--connectionId=${second.id}`, '--input={"limit":1}', '--json']);
    expect(reconnected.exitCode).toBe(0);
  });
});

describe('action create', () => {
  it('builds an action: BUILDING, then READY via get --wait; it runs like a prebuilt one', async () => {
    const created = await run(['action', 'create', 'close the ticket', `--connectionId=${ids.onecrm}`, '--json'], {
      MEMBRANE_SANDBOX_BUILD_MS: '400',
    });
    expect(created.exitCode).toBe(0);
    const a = created.json as Json;
    expect(a).toMatchObject({ id: expect.stringMatching(HEX24), state: 'BUILDING', connectionId: ids.onecrm, integrationKey: '1crm' });
    expect(a.key).toBe('close-the-ticket');

    const ready = await run(['action', 'get', a.id, '--wait', '--timeout=10', '--json']);
    expect(ready.exitCode).toBe(0);
    expect(ready.json).toMatchObject({ id: a.id, state: 'READY', type: expect.any(String) });
    expect((ready.json as Json).inputSchema.properties).toHaveProperty('id');

    const cases = (
      (await run(['action', 'run', 'list-cases', `--connectionId=${ids.onecrm}`, '--input={"limit":1}', '--json'])).json as Json
    ).output.records as Json[];
    const closed = await run(['action', 'run', a.key, `--connectionId=${ids.onecrm}`, `--input={"id":"${cases[0].id}"}`, '--json']);
    expect(closed.exitCode).toBe(0);
    expect((closed.json as Json).output).toMatchObject({ id: cases[0].id });
  });

  it('while BUILDING: run fails with action_instance_setup; get --wait times out with exit 0 and state BUILDING', async () => {
    const created = await run(['action', 'create', '--connectionId', ids.onecrm, 'create a new product', '--name=Slow build', '--json'], {
      MEMBRANE_SANDBOX_BUILD_MS: '60000',
    });
    const a = created.json as Json;
    expect(a).toMatchObject({ name: 'Slow build', key: 'slow-build', state: 'BUILDING' });
    const [runIt, waited] = await Promise.all([
      run(['action', 'run', a.id, `--connectionId=${ids.onecrm}`, '--input={}', '--json']),
      run(['action', 'get', a.key, `--connectionId=${ids.onecrm}`, '--wait', '--timeout', '0.3', '--json']),
    ]);
    expect(runIt.exitCode).toBe(1);
    expect(runIt.json).toEqual({ type: 'action_instance_setup', message: 'Action is not ready (state BUILDING)' });
    expect(waited.exitCode).toBe(0);
    expect(waited.json).toMatchObject({ id: a.id, state: 'BUILDING' });
  });

  it('a description that maps to nothing ends in SETUP_FAILED with error and errors[]', async () => {
    const [moon, hubspotConn] = await Promise.all([
      run(['action', 'create', 'fly to the moon', `--connectionId=${ids.onecrm}`, '--json']),
      run(['connect', '--connectorKey=hubspot', '--json']),
    ]);
    const onHubspot = await run(['action', 'create', 'create a deal', `--connectionId=${(hubspotConn.json as Json).id}`, '--json']);
    const hubspotId = (hubspotConn.json as Json).id as string;
    const cases = [
      { created: moon, connectionId: ids.onecrm },
      { created: onHubspot, connectionId: hubspotId },
    ];
    const failed = await Promise.all(
      cases.map(async ({ created, connectionId }) => {
        expect(created.exitCode).toBe(0);
        const a = (await run(['action', 'get', (created.json as Json).id, '--wait', '--json'])).json as Json;
        const runIt = await run(['action', 'run', a.id, `--connectionId=${connectionId}`, '--json']);
        return { a, runIt };
      }),
    );
    for (const { a, runIt } of failed) {
      expect(a.state).toBe('SETUP_FAILED');
      expect(a.error).toMatchObject({ type: 'action_instance_setup', message: expect.any(String) });
      expect(a.errors).toEqual([a.error]);
      expect(runIt.exitCode).toBe(1);
      expect(runIt.json).toMatchObject({
        type: 'action_instance_setup',
        message: expect.stringMatching(/^Action is not ready \(state SETUP_FAILED\): /),
      });
    }
    expect(failed[0].a.error.message).toMatch(/entity/i);
    expect(failed[1].a.error.message).toMatch(/not emulated/);
  });

  it('keys stay unique; a description is required; human output says how to wait', async () => {
    const [a, b, none, human] = await Promise.all([
      run(['action', 'create', 'list all meetings', `--connectionId=${ids.onecrm}`, '--json']),
      run(['action', 'create', 'list all meetings', `--connectionId=${ids.onecrm}`, '--json']),
      run(['action', 'create', `--connectionId=${ids.onecrm}`, '--json']),
      run(['action', 'create', 'show', 'all', 'calls', `--connectionId=${ids.onecrm}`]),
    ]);
    expect(new Set([(a.json as Json).key, (b.json as Json).key])).toEqual(new Set(['list-all-meetings', 'list-all-meetings-2']));
    expect(none.exitCode).toBe(2);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/^show-all-calls\s+BUILDING/);
    expect(human.stdout).toContain('--wait');
  });
});

describe('AmoCRM actions', () => {
  it('acceptance: --intent="create a deal" returns create-lead first', async () => {
    const r = await run(['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=create a deal', '--json']);
    expect(r.exitCode).toBe(0);
    expect(keys(r)[0]).toBe('create-lead');
    expect(items(r)[0]).toMatchObject({ state: 'READY', type: 'create-data-record', integrationKey: 'amocrm', connectionId: ids.amocrm });
    const person = await run(['action', 'list', `--connectionId=${ids.amocrm}`, '--intent=find a person by email', '--limit=3', '--json']);
    expect(keys(person)).toContain('search-contacts');
  });

  it('a key both connectors use needs a connection to choose', async () => {
    const [ambiguous, chosen] = await Promise.all([
      run(['action', 'get', 'create-contact', '--json']),
      run(['action', 'get', 'create-contact', `--connectionId=${ids.amocrm}`, '--json']),
    ]);
    expect(ambiguous.exitCode).toBe(1);
    expect(ambiguous.json).toMatchObject({ type: 'bad_request', message: expect.stringContaining('--connectionId') });
    expect(chosen.json).toMatchObject({ key: 'create-contact', integrationKey: 'amocrm' });
  });

  it('create-lead runs; a missing lead is action_run with the problem+json body', async () => {
    const [created, missing] = await Promise.all([
      run(['action', 'run', 'create-lead', `--connectionId=${ids.amocrm}`, '--input={"name":"CLI deal","price":1200}', '--json']),
      run(['action', 'run', 'get-lead', `--connectionId=${ids.amocrm}`, '--input={"id":1}', '--json']),
    ]);
    expect(created.exitCode).toBe(0);
    const out = (created.json as Json).output;
    expect(out).toMatchObject({ id: expect.any(Number), record: { name: 'CLI deal', price: 1200 } });
    expect(missing.exitCode).toBe(1);
    expect(missing.json).toMatchObject({
      type: 'action_run',
      data: { actionRunId: expect.stringMatching(HEX24), response: { status: 404, data: { status: 404, detail: expect.any(String) } } },
    });
  });

  it('under the rate-limit fault a full window gives rate_limit_exceeded with Retry-After', async () => {
    await run(['sandbox', 'rate-fill', '--connectorKey=amocrm', '--holdMs=20000']);
    const r = await run(['action', 'run', 'list-leads', `--connectionId=${ids.amocrm}`, '--json'], {
      MEMBRANE_SANDBOX_FAULT: 'rate-limit',
    });
    expect(r.exitCode).toBe(1);
    expect(r.json).toMatchObject({
      type: 'connection',
      key: 'rate_limit_exceeded',
      data: { response: { status: 429, headers: { 'retry-after': '1' } } },
    });
  });

  it('action create: "delete a lead" cannot be built on AmoCRM (no DELETE), "create a deal" can', async () => {
    const [del, deal] = await Promise.all([
      run(['action', 'create', 'delete a lead', `--connectionId=${ids.amocrm}`, '--json']),
      run(['action', 'create', 'create a deal with a budget', `--connectionId=${ids.amocrm}`, '--json']),
    ]);
    const [delDone, dealDone] = await Promise.all([
      run(['action', 'get', (del.json as Json).id, '--wait', '--json']),
      run(['action', 'get', (deal.json as Json).id, '--wait', '--json']),
    ]);
    expect(delDone.json).toMatchObject({ state: 'SETUP_FAILED', error: { type: 'action_instance_setup', message: expect.any(String) } });
    expect(dealDone.json).toMatchObject({ state: 'READY', type: 'create-data-record' });
    const ran = await run([
      'action',
      'run',
      (deal.json as Json).key,
      `--connectionId=${ids.amocrm}`,
      '--input={"name":"Built deal","price":5}',
      '--json',
    ]);
    expect(ran.exitCode).toBe(0);
    expect((ran.json as Json).output.record).toMatchObject({ name: 'Built deal' });
  });
});
