// Paging of truncated results: budgetResult stores what it cut, pageResult serves the rest
// from the ResultStore by resultId + offset, without calling the CLI again.
import { describe, expect, it, vi } from 'vitest';
import { budgetResult, pageResult, type Truncated } from '../../src/results/paging.js';
import { ResultStore, type StoredResult } from '../../src/results/result-store.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { caughtAsync } from '../helpers/errors.js';
import { ToolError } from '../../src/errors.js';

const TOOL = 'amocrm_run_action';
const OTHER = 'onecrm_run_action';
const MAX = 5_000;
const FIXED = { backend: 'sandbox-cli', connector: 'amocrm', connectionId: 'conn-7', actionId: 'list-leads', actionRunId: 'run-1' };
const PAGE_FIXED = { backend: 'sandbox-cli', connector: 'amocrm' };

const lead = (i: number) => ({ id: i, name: `Сделка ${i}`, price: i * 100, _embedded: { tags: [{ id: i % 5, name: `tag${i % 5}` }] } });
const records = Array.from({ length: 400 }, (_, i) => lead(i));
const itemsPayload = () => ({ output: { records, hasMore: false } });

const truncatedOf = (r: Record<string, unknown>) => r.truncated as Truncated;

describe('budgetResult: the truncated object', () => {
  it('has returned/total/omitted/nextOffset/resultId/nextStep, and nextStep names the tool and exact arguments', async () => {
    const state = new MemoryStateStore();
    const put = vi.spyOn(state, 'putResult');
    const first = await budgetResult(TOOL, FIXED, itemsPayload(), MAX, new ResultStore({ state }), ['output', 'records']);
    const t = truncatedOf(first);
    expect(t).toMatchObject({ unit: 'items', path: 'output.records', total: 400 });
    expect(t.returned).toBeGreaterThan(0);
    expect(t.omitted).toBe(400 - t.returned);
    expect(t.nextOffset).toBe(t.returned);
    expect(t.resultId).toMatch(/^r_[A-Za-z0-9_-]{6,40}$/);
    expect(t.nextStep).toContain(TOOL);
    expect(t.nextStep).toContain(`{"resultId":"${t.resultId}","offset":${t.nextOffset}}`);
    expect(t.nextStep).toContain(`Returned items 1–${t.returned} of 400 in output.records.`);
    expect(JSON.stringify(first).length).toBeLessThanOrEqual(MAX);
    expect(put).toHaveBeenCalledTimes(1);
  });

  it('never cuts the fixed fields (backend, connector, ids), on the first answer or on any page', async () => {
    const store = new ResultStore();
    const first = await budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']);
    expect(first).toMatchObject(FIXED);
    const t = truncatedOf(first);
    const page = await pageResult(TOOL, PAGE_FIXED, t.resultId!, t.nextOffset!, MAX, store);
    expect(page).toMatchObject(PAGE_FIXED);

    const text = await budgetResult(TOOL, FIXED, { output: 'z'.repeat(50_000) }, MAX, store);
    expect(text).toMatchObject(FIXED);
  });

  it('the payload is budgeted in the room the fixed fields leave', async () => {
    const store = new ResultStore();
    const bigFixed = { ...FIXED, headers: { 'content-type': 'application/json', note: 'n'.repeat(2_000) } };
    const first = await budgetResult('amocrm_proxy_request', bigFixed, itemsPayload(), MAX, store, ['output', 'records']);
    expect(JSON.stringify(first).length).toBeLessThanOrEqual(MAX);
    expect(first.headers).toEqual(bigFixed.headers);
  });
});

describe('pageResult: items mode', () => {
  it('paging with nextOffset reconstructs exactly the original array, and the last page says so', async () => {
    const store = new ResultStore();
    const first = await budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']);
    const collected = [...(first.output as { records: unknown[] }).records];
    let t = truncatedOf(first);
    const id = t.resultId!;
    let pages = 0;
    while (t.nextOffset !== undefined) {
      const page = await pageResult(TOOL, PAGE_FIXED, id, t.nextOffset, MAX, store);
      expect(JSON.stringify(page).length).toBeLessThanOrEqual(MAX);
      // Each page re-renders the template: the fields around the array come back too.
      expect((page.output as { hasMore: boolean }).hasMore).toBe(false);
      const before = t.nextOffset;
      collected.push(...(page.output as { records: unknown[] }).records);
      t = truncatedOf(page);
      expect(t.total).toBe(400);
      if (t.nextOffset !== undefined) {
        expect(t.nextOffset).toBe(before + t.returned);
        expect(t.nextStep).toContain(`Returned items ${before + 1}–${t.nextOffset} of 400`);
      }
      pages++;
      expect(pages).toBeLessThan(100);
    }
    expect(pages).toBeGreaterThan(2);
    expect(collected).toEqual(records);
    expect(t.omitted).toBe(0);
    expect(t.nextStep).toContain('This is the last part.');
    expect(t.resultId).toBeUndefined();
  });

  it('offset equal to the total returns an empty last page; past it is INVALID_INPUT', async () => {
    const store = new ResultStore();
    const t = truncatedOf(await budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']));
    const end = await pageResult(TOOL, PAGE_FIXED, t.resultId!, 400, MAX, store);
    expect((end.output as { records: unknown[] }).records).toEqual([]);
    expect(truncatedOf(end).nextStep).toContain('This is the last part.');

    const e = await caughtAsync(() => pageResult(TOOL, PAGE_FIXED, t.resultId!, 401, MAX, store));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fields).toEqual([{ field: 'offset', problem: 'must be between 0 and 400' }]);
  });

  it('a page that cannot hold even one whole item falls back to a text result of its own, and the text pages reconstruct the rest', async () => {
    const huge = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`cf_${i}`, i]));
    const items = [lead(1), lead(2), huge, lead(4)];
    const store = new ResultStore();
    const first = await budgetResult(TOOL, FIXED, { output: { records: items } }, MAX, store, ['output', 'records']);
    const t1 = truncatedOf(first);
    expect(t1).toMatchObject({ unit: 'items', returned: 2, nextOffset: 2 });

    const p2 = await pageResult(TOOL, PAGE_FIXED, t1.resultId!, 2, MAX, store);
    const t2 = truncatedOf(p2);
    expect(t2.unit).toBe('characters');
    expect(t2.resultId).toBeDefined();
    expect(t2.resultId).not.toBe(t1.resultId); // the text is a new stored result
    let text = p2.jsonText as string;
    let t = t2;
    while (t.nextOffset !== undefined) {
      const page = await pageResult(TOOL, PAGE_FIXED, t.resultId!, t.nextOffset, MAX, store);
      expect(JSON.stringify(page).length).toBeLessThanOrEqual(MAX);
      text += page.jsonText as string;
      t = truncatedOf(page);
    }
    expect(JSON.parse(text)).toEqual({ output: { records: items.slice(2) } });
    // The item list itself is still pageable by item offset.
    const p4 = await pageResult(TOOL, PAGE_FIXED, t1.resultId!, 3, MAX, store);
    expect((p4.output as { records: unknown[] }).records).toEqual([lead(4)]);
  });
});

describe('pageResult: text mode', () => {
  const doc = { output: { note: 'Длинная заметка 📝 '.repeat(2_000), title: 'x' } };

  it('reconstructs the full JSON text and ends with "This is the last part."', async () => {
    const store = new ResultStore();
    const first = await budgetResult(TOOL, FIXED, doc, MAX, store);
    const t1 = truncatedOf(first);
    expect(t1).toMatchObject({ unit: 'characters', returned: 0, nextOffset: 0, shortenedStrings: 1, total: JSON.stringify(doc).length });
    expect(t1.nextStep).toContain(`{"resultId":"${t1.resultId}","offset":0}`);
    let text = '';
    let t = t1;
    let pages = 0;
    while (t.nextOffset !== undefined) {
      const page = await pageResult(TOOL, PAGE_FIXED, t1.resultId!, t.nextOffset, MAX, store);
      expect(JSON.stringify(page).length).toBeLessThanOrEqual(MAX);
      expect(Object.keys(page)).toEqual(['backend', 'connector', 'jsonText', 'truncated']);
      text += page.jsonText as string;
      t = truncatedOf(page);
      pages++;
    }
    expect(pages).toBeGreaterThan(5);
    expect(text).toBe(JSON.stringify(doc));
    expect(t.nextStep).toMatch(/This is the last part\.$/);
  });

  it('at the end of the text the answer says it is the last part, not "start again at 0"', async () => {
    const store = new ResultStore();
    const t1 = truncatedOf(await budgetResult(TOOL, FIXED, doc, MAX, store));
    const end = await pageResult(TOOL, PAGE_FIXED, t1.resultId!, t1.total, MAX, store);
    expect(end.jsonText).toBe('');
    const t = truncatedOf(end);
    expect(t.nextStep).toBe('This is the last part.');
    expect(t.nextOffset).toBeUndefined();
    expect(t.resultId).toBeUndefined();
    const e = await caughtAsync(() => pageResult(TOOL, PAGE_FIXED, t1.resultId!, t1.total + 1, MAX, store));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('characters');
  });
});

describe('pageResult: wrong, unknown and expired ids', () => {
  it('a resultId used with another tool is INVALID_INPUT naming the right tool', async () => {
    const store = new ResultStore();
    const t = truncatedOf(await budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']));
    const e = await caughtAsync(() => pageResult(OTHER, PAGE_FIXED, t.resultId!, 0, MAX, store));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain(TOOL);
    expect(e.nextStep).toBe(`Call ${TOOL} with this resultId.`);
    expect(e.details?.fields).toEqual([{ field: 'resultId', problem: `use it with ${TOOL}` }]);
    // Still valid with its own tool.
    expect((await pageResult(TOOL, PAGE_FIXED, t.resultId!, 0, MAX, store)).truncated).toBeDefined();
  });

  it('an unknown id is NOT_FOUND with a next step', async () => {
    const e = await caughtAsync(() => pageResult(TOOL, PAGE_FIXED, 'r_doesnotexist', 0, MAX, new ResultStore()));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.nextStep).toBe('Repeat the original call to get a fresh result.');
    expect(e.retryable).toBe(false);
  });

  it('an expired id (10-minute TTL, injected clock) is NOT_FOUND', async () => {
    let now = 1_000_000;
    const store = new ResultStore({ now: () => now });
    const t = truncatedOf(await budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']));
    now += 10 * 60_000 - 1;
    expect((await pageResult(TOOL, PAGE_FIXED, t.resultId!, 0, MAX, store)).output).toBeDefined();
    now += 1;
    const e = await caughtAsync(() => pageResult(TOOL, PAGE_FIXED, t.resultId!, 0, MAX, store));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.nextStep).toBeTruthy();
  });

  it('a result too large for the store says to narrow the call instead of giving an id', async () => {
    const state = new MemoryStateStore();
    const put = vi.spyOn(state, 'putResult');
    const first = await budgetResult(TOOL, FIXED, itemsPayload(), MAX, new ResultStore({ state, maxChars: 1_000 }), ['output', 'records']);
    const t = truncatedOf(first);
    expect(t.resultId).toBeUndefined();
    expect(t.nextStep).toContain('narrow the call');
    expect(put).not.toHaveBeenCalled();
  });
});

describe('ResultStore', () => {
  const entry = (chars: number, tool = TOOL): StoredResult => ({ tool, template: {}, pageable: { kind: 'text', text: 'x'.repeat(chars) } });

  it('stores results in the state store it is given, under its scope: another scope does not see them', async () => {
    const state = new MemoryStateStore();
    const a = new ResultStore({ state, scope: 'tenant-a' });
    const b = new ResultStore({ state, scope: 'tenant-b' });
    const id = (await a.put(entry(10)))!;
    expect((await a.get(id))?.pageable).toEqual({ kind: 'text', text: 'x'.repeat(10) });
    expect(await b.get(id)).toBeUndefined();
    // A second store object over the same state (another replica) reads it.
    expect(await new ResultStore({ state, scope: 'tenant-a' }).get(id)).toBeDefined();
  });

  it('refuses a result whose JSON is larger than maxChars (the agent is told to narrow the call)', async () => {
    const store = new ResultStore({ maxChars: 200 });
    expect(await store.put(entry(40))).toMatch(/^r_/);
    expect(await store.put(entry(200))).toBeUndefined();
  });

  it('expires results after the TTL (injected clock)', async () => {
    let now = 0;
    const store = new ResultStore({ ttlMs: 1_000, now: () => now });
    const a = (await store.put(entry(60)))!;
    now = 999;
    expect(await store.get(a)).toBeDefined();
    now = 1_000;
    expect(await store.get(a)).toBeUndefined();
  });

  it('ignores a stored document that is not a result (a shared store is not trusted blindly)', async () => {
    const state = new MemoryStateStore();
    await state.putResult('default', 'r_forgedforged', { tool: TOOL, template: {}, pageable: { kind: 'html' } }, 60_000);
    expect(await new ResultStore({ state }).get('r_forgedforged')).toBeUndefined();
  });

  it('ids are unique and look like r_…', async () => {
    const store = new ResultStore();
    const ids = new Set(await Promise.all(Array.from({ length: 50 }, () => store.put(entry(1)))));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^r_[A-Za-z0-9_-]{6,40}$/);
  });
});

describe('budgetResult when the shared state store does not answer', () => {
  it('returns the first part with a nextStep that says why there is no resultId; other store failures still fail', async () => {
    const state = new MemoryStateStore();
    vi.spyOn(state, 'putResult').mockRejectedValue(new ToolError('STATE_UNAVAILABLE', 'The shared state store did not answer'));
    const first = await budgetResult(TOOL, FIXED, itemsPayload(), MAX, new ResultStore({ state }), ['output', 'records']);
    const t = truncatedOf(first);
    expect(t.returned).toBeGreaterThan(0);
    expect(t).not.toHaveProperty('resultId');
    expect(t.nextStep).toMatch(/could not be kept: the shared state store did not answer \(STATE_UNAVAILABLE\)/);
    expect(JSON.stringify(first).length).toBeLessThanOrEqual(MAX);

    const broken = new MemoryStateStore();
    vi.spyOn(broken, 'putResult').mockRejectedValue(new Error('bug'));
    await expect(budgetResult(TOOL, FIXED, itemsPayload(), MAX, new ResultStore({ state: broken }), ['output', 'records'])).rejects.toThrow(
      'bug',
    );
  });
});
