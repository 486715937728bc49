// Paging of truncated results: budgetResult stores what it cut, pageResult serves the rest
// from the ResultStore by resultId + offset, without calling the CLI again.
import { describe, expect, it } from 'vitest';
import { budgetResult, pageResult, type Truncated } from '../../src/results/paging.js';
import { ResultStore, type StoredResult } from '../../src/results/result-store.js';
import { caught } from '../helpers/errors.js';

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
  it('has returned/total/omitted/nextOffset/resultId/nextStep, and nextStep names the tool and exact arguments', () => {
    const store = new ResultStore();
    const first = budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']);
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
    expect(store.size).toBe(1);
  });

  it('never cuts the fixed fields (backend, connector, ids), on the first answer or on any page', () => {
    const store = new ResultStore();
    const first = budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']);
    expect(first).toMatchObject(FIXED);
    const t = truncatedOf(first);
    const page = pageResult(TOOL, PAGE_FIXED, t.resultId!, t.nextOffset!, MAX, store);
    expect(page).toMatchObject(PAGE_FIXED);

    const text = budgetResult(TOOL, FIXED, { output: 'z'.repeat(50_000) }, MAX, store);
    expect(text).toMatchObject(FIXED);
  });

  it('the payload is budgeted in the room the fixed fields leave', () => {
    const store = new ResultStore();
    const bigFixed = { ...FIXED, headers: { 'content-type': 'application/json', note: 'n'.repeat(2_000) } };
    const first = budgetResult('amocrm_proxy_request', bigFixed, itemsPayload(), MAX, store, ['output', 'records']);
    expect(JSON.stringify(first).length).toBeLessThanOrEqual(MAX);
    expect(first.headers).toEqual(bigFixed.headers);
  });
});

describe('pageResult: items mode', () => {
  it('paging with nextOffset reconstructs exactly the original array, and the last page says so', () => {
    const store = new ResultStore();
    const first = budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']);
    const collected = [...(first.output as { records: unknown[] }).records];
    let t = truncatedOf(first);
    const id = t.resultId!;
    let pages = 0;
    while (t.nextOffset !== undefined) {
      const page = pageResult(TOOL, PAGE_FIXED, id, t.nextOffset, MAX, store);
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

  it('offset equal to the total returns an empty last page; past it is INVALID_INPUT', () => {
    const store = new ResultStore();
    const t = truncatedOf(budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']));
    const end = pageResult(TOOL, PAGE_FIXED, t.resultId!, 400, MAX, store);
    expect((end.output as { records: unknown[] }).records).toEqual([]);
    expect(truncatedOf(end).nextStep).toContain('This is the last part.');

    const e = caught(() => pageResult(TOOL, PAGE_FIXED, t.resultId!, 401, MAX, store));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details?.fields).toEqual([{ field: 'offset', problem: 'must be between 0 and 400' }]);
  });

  it('a page that cannot hold even one whole item falls back to a text result of its own, and the text pages reconstruct the rest', () => {
    const huge = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`cf_${i}`, i]));
    const items = [lead(1), lead(2), huge, lead(4)];
    const store = new ResultStore();
    const first = budgetResult(TOOL, FIXED, { output: { records: items } }, MAX, store, ['output', 'records']);
    const t1 = truncatedOf(first);
    expect(t1).toMatchObject({ unit: 'items', returned: 2, nextOffset: 2 });

    const p2 = pageResult(TOOL, PAGE_FIXED, t1.resultId!, 2, MAX, store);
    const t2 = truncatedOf(p2);
    expect(t2.unit).toBe('characters');
    expect(t2.resultId).toBeDefined();
    expect(t2.resultId).not.toBe(t1.resultId); // the text is a new stored result
    let text = p2.jsonText as string;
    let t = t2;
    while (t.nextOffset !== undefined) {
      const page = pageResult(TOOL, PAGE_FIXED, t.resultId!, t.nextOffset, MAX, store);
      expect(JSON.stringify(page).length).toBeLessThanOrEqual(MAX);
      text += page.jsonText as string;
      t = truncatedOf(page);
    }
    expect(JSON.parse(text)).toEqual({ output: { records: items.slice(2) } });
    // The item list itself is still pageable by item offset.
    const p4 = pageResult(TOOL, PAGE_FIXED, t1.resultId!, 3, MAX, store);
    expect((p4.output as { records: unknown[] }).records).toEqual([lead(4)]);
  });
});

describe('pageResult: text mode', () => {
  const doc = { output: { note: 'Длинная заметка 📝 '.repeat(2_000), title: 'x' } };

  it('reconstructs the full JSON text and ends with "This is the last part."', () => {
    const store = new ResultStore();
    const first = budgetResult(TOOL, FIXED, doc, MAX, store);
    const t1 = truncatedOf(first);
    expect(t1).toMatchObject({ unit: 'characters', returned: 0, nextOffset: 0, shortenedStrings: 1, total: JSON.stringify(doc).length });
    expect(t1.nextStep).toContain(`{"resultId":"${t1.resultId}","offset":0}`);
    let text = '';
    let t = t1;
    let pages = 0;
    while (t.nextOffset !== undefined) {
      const page = pageResult(TOOL, PAGE_FIXED, t1.resultId!, t.nextOffset, MAX, store);
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

  it('at the end of the text the answer says it is the last part, not "start again at 0"', () => {
    const store = new ResultStore();
    const t1 = truncatedOf(budgetResult(TOOL, FIXED, doc, MAX, store));
    const end = pageResult(TOOL, PAGE_FIXED, t1.resultId!, t1.total, MAX, store);
    expect(end.jsonText).toBe('');
    const t = truncatedOf(end);
    expect(t.nextStep).toBe('This is the last part.');
    expect(t.nextOffset).toBeUndefined();
    expect(t.resultId).toBeUndefined();
    const e = caught(() => pageResult(TOOL, PAGE_FIXED, t1.resultId!, t1.total + 1, MAX, store));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('characters');
  });
});

describe('pageResult: wrong, unknown and expired ids', () => {
  it('a resultId used with another tool is INVALID_INPUT naming the right tool', () => {
    const store = new ResultStore();
    const t = truncatedOf(budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']));
    const e = caught(() => pageResult(OTHER, PAGE_FIXED, t.resultId!, 0, MAX, store));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain(TOOL);
    expect(e.nextStep).toBe(`Call ${TOOL} with this resultId.`);
    expect(e.details?.fields).toEqual([{ field: 'resultId', problem: `use it with ${TOOL}` }]);
    // Still valid with its own tool.
    expect(pageResult(TOOL, PAGE_FIXED, t.resultId!, 0, MAX, store).truncated).toBeDefined();
  });

  it('an unknown id is NOT_FOUND with a next step', () => {
    const e = caught(() => pageResult(TOOL, PAGE_FIXED, 'r_doesnotexist', 0, MAX, new ResultStore()));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.nextStep).toBe('Repeat the original call to get a fresh result.');
    expect(e.retryable).toBe(false);
  });

  it('an expired id (10-minute TTL, injected clock) is NOT_FOUND', () => {
    let now = 1_000_000;
    const store = new ResultStore({ now: () => now });
    const t = truncatedOf(budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']));
    now += 10 * 60_000 - 1;
    expect(pageResult(TOOL, PAGE_FIXED, t.resultId!, 0, MAX, store).output).toBeDefined();
    now += 1;
    const e = caught(() => pageResult(TOOL, PAGE_FIXED, t.resultId!, 0, MAX, store));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.nextStep).toBeTruthy();
    expect(store.size).toBe(0);
  });

  it('a result too large for the store says to narrow the call instead of giving an id', () => {
    const store = new ResultStore({ maxChars: 1_000 });
    const first = budgetResult(TOOL, FIXED, itemsPayload(), MAX, store, ['output', 'records']);
    const t = truncatedOf(first);
    expect(t.resultId).toBeUndefined();
    expect(t.nextStep).toContain('narrow the call');
    expect(store.size).toBe(0);
  });
});

describe('ResultStore', () => {
  const entry = (chars: number, tool = TOOL): StoredResult => ({ tool, template: {}, pageable: { kind: 'text', text: 'x'.repeat(chars) } });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = new ResultStore({ maxEntries: 2 });
    const a = store.put(entry(10))!;
    const b = store.put(entry(10))!;
    const c = store.put(entry(10))!;
    expect(store.size).toBe(2);
    expect(store.get(a)).toBeUndefined();
    expect(store.get(b)).toBeDefined();
    expect(store.get(c)).toBeDefined();
  });

  it('get refreshes recency', () => {
    const store = new ResultStore({ maxEntries: 2 });
    const a = store.put(entry(10))!;
    const b = store.put(entry(10))!;
    expect(store.get(a)).toBeDefined(); // a is now the most recent
    const c = store.put(entry(10))!;
    expect(store.get(b)).toBeUndefined();
    expect(store.get(a)).toBeDefined();
    expect(store.get(c)).toBeDefined();
  });

  it('evicts by total characters (maxChars) and refuses an entry larger than the cap', () => {
    const store = new ResultStore({ maxChars: 100 });
    const a = store.put(entry(40))!;
    const b = store.put(entry(40))!;
    const c = store.put(entry(40))!; // 120 > 100: a goes
    expect(store.get(a)).toBeUndefined();
    expect(store.get(b)?.pageable).toEqual({ kind: 'text', text: 'x'.repeat(40) });
    expect(store.get(c)).toBeDefined();
    expect(store.put(entry(101))).toBeUndefined();
    expect(store.size).toBe(2);
  });

  it('weighs item results by the JSON size of their items', () => {
    const store = new ResultStore({ maxChars: 100 });
    const items = Array.from({ length: 10 }, (_, i) => ({ i })); // 71 characters
    const a = store.put({ tool: TOOL, template: {}, pageable: { kind: 'items', path: ['x'], items } })!;
    expect(a).toBeDefined();
    store.put(entry(40)); // 111 > 100
    expect(store.get(a)).toBeUndefined();
  });

  it('expires entries after the TTL (injected clock) and frees their room', () => {
    let now = 0;
    // The weight counts the paged items and the template (see result-store.ts), hence 120 for 60 + 40.
    const store = new ResultStore({ ttlMs: 1_000, maxChars: 120, now: () => now });
    const a = store.put(entry(60))!;
    now = 999;
    expect(store.get(a)).toBeDefined();
    now = 1_000;
    expect(store.get(a)).toBeUndefined();
    expect(store.size).toBe(0);
    // The expired entry's characters no longer count against the cap.
    const b = store.put(entry(60))!;
    const c = store.put(entry(40))!;
    expect(store.get(b)).toBeDefined();
    expect(store.get(c)).toBeDefined();
  });

  it('sweeps expired entries when storing', () => {
    let now = 0;
    const store = new ResultStore({ ttlMs: 1_000, now: () => now });
    store.put(entry(1));
    store.put(entry(1));
    now = 5_000;
    store.put(entry(1));
    expect(store.size).toBe(1);
  });

  it('ids are unique and look like r_…', () => {
    const store = new ResultStore();
    const ids = new Set(Array.from({ length: 50 }, () => store.put(entry(1))));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^r_[A-Za-z0-9_-]{6,40}$/);
  });
});
