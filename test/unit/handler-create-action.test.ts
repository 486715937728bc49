// create_action: building an action from a description and waiting for it within waitSeconds (each backend
// call inside that budget, long-polls of at most 10 s), resuming a build by actionId, a build that fails, the
// next step that runs what was built (its required inputs named), the warning when the server's rules will
// refuse it, names that could pass for an action id, argument errors, backend failures, and that the tool is
// not offered under --read-only. Handlers called directly (test/helpers/tool-harness.ts) over the shared
// FakeMembraneClient.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToolError } from '../../src/errors.js';
import type { Action } from '../../src/membrane/membrane-client.js';
import { FakeMembraneClient, fakeAction } from '../helpers/fake-membrane-client.js';
import { toolHarness } from '../helpers/tool-harness.js';

const BUILD = { description: 'list the tasks of a lead' };

/**
 * A backend whose build stays BUILDING for `polls` long-polls, then ends in `final`. A long-poll that ends
 * without news takes its whole timeout, on the test's clock (fake Date), as Membrane's does.
 */
function buildingBackend(polls: number, final: Partial<Action> = { state: 'READY' }) {
  let waited = 0;
  const building = fakeAction('lead-tasks', 'list-data-records', { id: 'act-build', state: 'BUILDING' });
  return new FakeMembraneClient({
    answer: {
      createAction: () => building,
      getAction: (q) => {
        if (q.id !== building.id) throw new ToolError('NOT_FOUND', `Action ${q.id} not found`);
        if (q.wait) waited++;
        const done = q.wait ? waited > polls : polls === 0;
        if (q.wait && !done) vi.setSystemTime(Date.now() + q.timeoutSeconds! * 1000);
        return done ? { ...building, ...final } : building;
      },
    },
  });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('create_action: building', () => {
  it('a build that is READY at once: the card, done, and how to run it with its required inputs', async () => {
    const client = new FakeMembraneClient();
    const result = await toolHarness({ client }).call('create_action', { ...BUILD, name: 'Lead tasks' });
    expect(result).toMatchObject({ backend: 'sandbox-cli', connector: 'amocrm', connectionId: 'conn-amo', done: true });
    expect(result.action).toMatchObject({ id: 'act-built-1', name: 'Lead tasks', state: 'READY', kind: 'read' });
    expect(result.nextStep).toMatch(
      /^Run it: amocrm_run_action with \{"actionId":"act-built-1","input":\{"owner":"…"\}\}\. Put every condition of your description/,
    );
    expect(result).not.toHaveProperty('warning');
    expect(client.callsOf('createAction').map((c) => c.q)).toEqual([{ ...BUILD, name: 'Lead tasks', connectionId: 'conn-amo' }]);
  });

  it('waits with long-polls of at most 10 s until READY, and says what it waits for', async () => {
    const client = buildingBackend(2);
    const h = toolHarness({ client });
    const result = await h.call('create_action', { ...BUILD, waitSeconds: 30 });
    expect(result).toMatchObject({ done: true, action: { id: 'act-build', state: 'READY' } });
    const polls = client.callsOf('getAction');
    expect(polls).toHaveLength(3);
    for (const p of polls) {
      expect(p.q).toMatchObject({ id: 'act-build', connectionId: 'conn-amo', wait: true });
      expect(p.q.timeoutSeconds).toBeLessThanOrEqual(10);
      // The process or request may take the long-poll plus a 5 s margin, no more.
      expect(p.opts.timeoutMs).toBe(p.q.timeoutSeconds! * 1000 + 5000);
    }
    expect(h.doing).toEqual(['Membrane is building "lead tasks"']);
  });

  it('every backend call stays inside waitSeconds (plus the margin)', async () => {
    const client = buildingBackend(1);
    await toolHarness({ client }).call('create_action', { ...BUILD, waitSeconds: 20 });
    const create = client.callsOf('createAction')[0];
    expect(create.opts.timeoutMs).toBeGreaterThan(20_000);
    expect(create.opts.timeoutMs).toBeLessThanOrEqual(25_000);
    expect(create.opts.signal).toBeInstanceOf(AbortSignal);
  });

  it('still building when waitSeconds is spent: done false, and how to keep waiting', async () => {
    const client = buildingBackend(99);
    const result = await toolHarness({ client }).call('create_action', { ...BUILD, waitSeconds: 1 });
    expect(result).toMatchObject({ done: false, action: { id: 'act-build', state: 'BUILDING' } });
    expect(result.nextStep).toBe('Still building after 1 s. Call amocrm_create_action with {"actionId":"act-build"} to keep waiting.');
  });

  it('resumes a build by actionId: no new build', async () => {
    const client = buildingBackend(0);
    const result = await toolHarness({ client }).call('create_action', { actionId: 'act-build' });
    expect(result).toMatchObject({ done: true, action: { id: 'act-build', state: 'READY' } });
    expect(client.callsOf('createAction')).toEqual([]);
  });

  it.each(['SETUP_FAILED', 'CONFIGURATION_ERROR'])(
    'a build that ends %s: ACTION_BUILD_FAILED with the reason and the way on',
    async (state) => {
      const client = buildingBackend(1, { state, error: 'cannot tell which entity' });
      const e = await toolHarness({ client }).error('create_action', BUILD);
      expect(e.code).toBe('ACTION_BUILD_FAILED');
      expect(e.message).toContain(`(${state}): cannot tell which entity`);
      expect(e.nextStep).toMatch(/^Rephrase the description .* amocrm_create_action, or call the API with amocrm_proxy_request/);
      expect(e.details?.action).toMatchObject({ id: 'act-build', state });
    },
  );

  it('the built action is remembered: run_action needs no `action get`', async () => {
    const client = new FakeMembraneClient();
    const h = toolHarness({ client, settings: { cache: true } });
    await h.call('create_action', BUILD);
    await h.call('run_action', { actionId: 'act-built-1', input: { owner: 'Ann' } });
    expect(client.callsOf('getAction')).toEqual([]);
  });

  it.each([
    { name: 'denied by type', settings: { denyActions: ['amocrm:list-data-records'] }, warning: /--deny-actions/ },
    { name: 'outside the allow list', settings: { allowActions: ['amocrm:get-lead'] }, warning: /not in --allow-actions/ },
  ])('warns at once when the rules will refuse to run it ($name)', async ({ settings, warning }) => {
    const result = await toolHarness({ settings }).call('create_action', BUILD);
    expect(result.done).toBe(true);
    expect(result.warning).toMatch(/^The server's rules will refuse to run it: /);
    expect(result.warning).toMatch(warning);
  });
});

describe('create_action: names', () => {
  it('a name that is the id of an existing action is refused, and nothing is built', async () => {
    const client = new FakeMembraneClient({ actions: [fakeAction('old', 'list-data-records', { id: 'existing-id' })] });
    const e = await toolHarness({ client }).error('create_action', { ...BUILD, name: 'existing-id' });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fields).toEqual([{ field: 'name', problem: 'is the id of an existing action' }]);
    expect(client.callsOf('createAction')).toEqual([]);
  });

  it('a name that is the key (not the id) of an action is fine: the backend resolves ids first', async () => {
    const client = new FakeMembraneClient();
    const result = await toolHarness({ client }).call('create_action', { ...BUILD, name: 'list-leads' });
    expect(result.done).toBe(true);
  });

  it('a failure of the name check other than NOT_FOUND is the call’s error', async () => {
    const client = new FakeMembraneClient().failNext('getAction', new ToolError('TIMEOUT', 'too slow'));
    const e = await toolHarness({ client }).error('create_action', { ...BUILD, name: 'lead-tasks' });
    expect(e.code).toBe('TIMEOUT');
    expect(client.callsOf('createAction')).toEqual([]);
  });

  it.each([
    { name: 'two lines', value: 'Lead\ntasks', problem: /one line/ },
    { name: 'a bidi override', value: 'Lead \u202etasks', problem: /one line/ },
    { name: 'an id-shaped name', value: '65f0c0ffee0123456789abcd', problem: /must not look like an action id/ },
    { name: 'an id-shaped word', value: 'tasks 65f0c0ffee0123456789abcd', problem: /must not look like an action id/ },
  ])('refuses $name before anything runs', async ({ value, problem }) => {
    const client = new FakeMembraneClient();
    const e = await toolHarness({ client }).error('create_action', { ...BUILD, name: value });
    expect(e.code).toBe('INVALID_INPUT');
    expect((e.details?.fields as { field: string; problem: string }[])[0]).toMatchObject({
      field: 'name',
      problem: expect.stringMatching(problem) as unknown,
    });
    expect(client.calls).toEqual([]);
  });
});

describe('create_action: errors', () => {
  it.each([
    { name: 'neither description nor actionId', args: {}, field: 'description' },
    { name: 'both description and actionId', args: { ...BUILD, actionId: 'act-x' }, field: 'actionId' },
    { name: 'a description under 3 characters', args: { description: 'ab' }, field: 'description' },
    { name: 'waitSeconds over 55', args: { ...BUILD, waitSeconds: 56 }, field: 'waitSeconds' },
  ])('$name: INVALID_INPUT on $field, nothing asked of the backend', async ({ args, field }) => {
    const h = toolHarness();
    expect(await h.invalidFields('create_action', args)).toContain(field);
    expect(h.client.calls).toEqual([]);
  });

  it.each([new ToolError('ACCESS_DENIED', 'a tenant token may not create actions'), new ToolError('MEMBRANE_ERROR', 'Membrane failed')])(
    'a backend failure of the build is the call’s error ($code)',
    async (failure) => {
      const client = new FakeMembraneClient().failNext('createAction', failure);
      expect((await toolHarness({ client }).error('create_action', BUILD)).code).toBe(failure.code);
    },
  );

  it('an unknown actionId to resume is NOT_FOUND', async () => {
    const e = await toolHarness().error('create_action', { actionId: 'act-nope' });
    expect(e.code).toBe('NOT_FOUND');
  });

  it('is not offered under --read-only (building writes to the workspace)', async () => {
    await expect(toolHarness({ settings: { readOnly: true } }).call('create_action', BUILD)).rejects.toThrow(/no create_action tool/);
  });
});
