// Budget and paging as the handlers use them: a result over --max-result-chars is cut where the records
// are (run_action's output records, proxy_request's body items, search_actions' cards) or as JSON text, the
// fixed fields (backend, connector, ids, status) always kept, and the rest served from the result store by
// resultId + offset without another backend call, to the last part. And the refusals: an unknown resultId,
// one of another tool or another tenant, an offset past the end; and a state store that cannot keep the rest.
// Handlers called directly (test/helpers/tool-harness.ts) over the shared FakeMembraneClient.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import type { Truncated } from '../../src/results/paging.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { FakeMembraneClient, fakeAction } from '../helpers/fake-membrane-client.js';
import { type ToolHarness, toolHarness } from '../helpers/tool-harness.js';

const BUDGET = { maxResultChars: 2000 };
const LEADS = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, name: `Lead number ${i + 1}`, price: 1000 + i }));

const backendCalls = (h: ToolHarness) => h.client.calls.filter((c) => c.op !== 'listConnections').length;

/** Pages a result to its end; returns every item seen and the number of pages. */
async function pageAll(h: ToolHarness, suffix: string, first: Record<string, unknown>, items: (r: Record<string, unknown>) => unknown[]) {
  const seen = [...items(first)];
  let truncated = first.truncated as Truncated | undefined;
  let pages = 1;
  while (truncated?.nextOffset !== undefined) {
    const next = await h.call(suffix, { resultId: truncated.resultId, offset: truncated.nextOffset });
    expect(JSON.stringify(next).length).toBeLessThanOrEqual(BUDGET.maxResultChars);
    seen.push(...items(next));
    truncated = next.truncated as Truncated | undefined;
    pages++;
  }
  expect(truncated?.nextStep).toMatch(/This is the last part\.$/);
  return { seen, pages };
}

describe('paging: run_action', () => {
  it('cuts the output records, keeps the ids, and pages the rest from the store to the last part', async () => {
    const client = new FakeMembraneClient({ answer: { runAction: () => ({ output: { records: LEADS }, actionRunId: 'run-9' }) } });
    const h = toolHarness({ client, settings: BUDGET });
    const first = await h.call('run_action', { actionId: 'list-leads' });
    expect(JSON.stringify(first).length).toBeLessThanOrEqual(BUDGET.maxResultChars);
    expect(first).toMatchObject({
      backend: 'sandbox-cli',
      connector: 'amocrm',
      connectionId: 'conn-amo',
      actionId: 'act-list-leads',
      actionRunId: 'run-9',
    });
    const truncated = first.truncated as Truncated;
    expect(truncated).toMatchObject({
      unit: 'items',
      path: 'output.records',
      total: 120,
      resultId: expect.stringMatching(/^r_/) as unknown,
    });
    expect(truncated.nextStep).toContain(
      `call amocrm_run_action with {"resultId":"${truncated.resultId}","offset":${truncated.nextOffset}}`,
    );
    const before = backendCalls(h);
    const { seen, pages } = await pageAll(h, 'run_action', first, (r) => (r.output as { records: unknown[] }).records);
    expect(seen).toEqual(LEADS);
    expect(pages).toBeGreaterThan(2);
    expect(backendCalls(h)).toBe(before);
  });

  it('a long text output is cut as JSON text and paged by characters', async () => {
    const text = 'x'.repeat(9000);
    const client = new FakeMembraneClient({ answer: { runAction: () => ({ output: text }) } });
    const h = toolHarness({ client, settings: BUDGET });
    const first = await h.call('run_action', { actionId: 'list-leads' });
    expect(first.truncated).toMatchObject({ unit: 'characters' });
    const { seen } = await pageAll(h, 'run_action', first, (r) => (typeof r.jsonText === 'string' ? [r.jsonText] : []));
    expect(JSON.parse((seen as string[]).join(''))).toEqual({ output: text });
  });

  it('a result within the budget is not cut', async () => {
    const result = await toolHarness({ settings: BUDGET }).call('run_action', { actionId: 'list-leads' });
    expect(result).not.toHaveProperty('truncated');
  });
});

describe('paging: proxy_request and search_actions', () => {
  it('proxy_request cuts the body items (a 1CRM list), status and headers kept', async () => {
    const body = { records: LEADS, total_results: '120' };
    const client = new FakeMembraneClient({
      answer: { request: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body }) },
    });
    const h = toolHarness({ client, settings: BUDGET });
    const first = await h.call('proxy_request', { path: '/data/Account' }, { connector: '1crm' });
    expect(first).toMatchObject({ connector: '1crm', status: 200, headers: { 'content-type': 'application/json' } });
    expect(first.truncated).toMatchObject({ unit: 'items', path: 'body.items', total: 120 });
    const { seen } = await pageAll(
      { ...h, call: (s, a, o) => h.call(s, a, { connector: '1crm', ...o }) },
      'proxy_request',
      first,
      (r) => (r.body as { items: unknown[] }).items,
    );
    expect(seen).toEqual(LEADS);
  });

  it('search_actions cuts the cards (full schemas are large); every page, the last ones too, is whole cards, not JSON text', async () => {
    const big = {
      type: 'object',
      properties: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field_${i}`, { type: 'string' }])),
    };
    const actions = Array.from({ length: 8 }, (_, i) =>
      fakeAction(`list-things-${i}`, 'list-data-records', { score: 0.9, inputSchema: big }),
    );
    const h = toolHarness({ client: new FakeMembraneClient({ actions }), settings: BUDGET });
    const first = await h.call('search_actions', { intent: 'list things', limit: 8, includeSchemas: true });
    expect(first.truncated).toMatchObject({ total: 8 });
    const { seen } = await pageAll(h, 'search_actions', first, (r) => r.actions as unknown[]);
    expect((seen as { key: string }[]).map((a) => a.key)).toEqual(actions.map((a) => a.key));
  });
});

describe('paging: refusals', () => {
  async function cutResult(opts: { scope?: string; state?: MemoryStateStore } = {}) {
    const client = new FakeMembraneClient({ answer: { runAction: () => ({ output: { records: LEADS } }) } });
    const h = toolHarness({ client, settings: BUDGET, ...opts });
    const truncated = (await h.call('run_action', { actionId: 'list-leads' })).truncated as Truncated;
    return { h, truncated };
  }

  it('an offset past the end: INVALID_INPUT on offset', async () => {
    const { h, truncated } = await cutResult();
    const e = await h.error('run_action', { resultId: truncated.resultId, offset: 121 });
    expect(e).toMatchObject({ code: 'INVALID_INPUT', message: 'offset 121 is past the end (120 items)' });
    expect(e.details?.fields).toEqual([{ field: 'offset', problem: 'must be between 0 and 120' }]);
  });

  it('the offset at the end: an empty last part', async () => {
    const { h, truncated } = await cutResult();
    const last = await h.call('run_action', { resultId: truncated.resultId, offset: 120 });
    expect((last.output as { records: unknown[] }).records).toEqual([]);
    expect((last.truncated as Truncated).nextStep).toMatch(/This is the last part\.$/);
  });

  it.each([
    {
      name: 'another tool',
      suffix: 'proxy_request',
      connector: 'amocrm',
      message: /belongs to amocrm_run_action, not amocrm_proxy_request/,
    },
    {
      name: 'another connector’s tool',
      suffix: 'run_action',
      connector: '1crm',
      message: /belongs to amocrm_run_action, not onecrm_run_action/,
    },
  ])('a resultId used with $name: INVALID_INPUT naming the right tool', async ({ suffix, connector, message }) => {
    const { h, truncated } = await cutResult();
    const e = await h.error(suffix, { resultId: truncated.resultId }, { connector });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(message);
    expect(e.nextStep).toBe('Call amocrm_run_action with this resultId.');
  });

  it('an unknown resultId: NOT_FOUND, repeat the call', async () => {
    const e = await toolHarness().error('run_action', { resultId: 'r_unknown1' });
    expect(e).toMatchObject({ code: 'NOT_FOUND', nextStep: 'Repeat the original call to get a fresh result.' });
  });

  it('another tenant’s resultId is unknown here, in a shared store', async () => {
    const state = new MemoryStateStore();
    const { truncated } = await cutResult({ state, scope: 't_one' });
    const other = toolHarness({ state, scope: 't_two', settings: BUDGET });
    expect((await other.error('run_action', { resultId: truncated.resultId })).code).toBe('NOT_FOUND');
  });

  it('a state store that cannot keep the rest: the first part, and a next step that says so (the work is done)', async () => {
    const state = new MemoryStateStore();
    state.putResult = () => Promise.reject(new ToolError('STATE_UNAVAILABLE', 'Redis did not answer'));
    const { truncated } = await cutResult({ state });
    expect(truncated).not.toHaveProperty('resultId');
    expect(truncated.nextStep).toMatch(/The rest could not be kept: the shared state store did not answer/);
  });

  it('paging needs neither a connection nor the action: no backend call at all', async () => {
    const { h, truncated } = await cutResult();
    h.client.connections = [];
    h.client.calls.length = 0;
    await h.call('run_action', { resultId: truncated.resultId, offset: truncated.nextOffset });
    expect(h.client.calls).toEqual([]);
  });
});
