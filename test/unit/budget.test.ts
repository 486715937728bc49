// The output budget on hostile outputs: every result is valid JSON, no larger than
// the budget (with the `truncated` object the paging layer adds), cut explicitly, at item boundaries.
import { describe, expect, it, vi } from 'vitest';
import { fitToBudget, sanitize, textSlice, TRUNCATION_RESERVE } from '../../src/results/budget.js';
import { budgetResult, pageResult } from '../../src/results/paging.js';
import { ResultStore } from '../../src/results/result-store.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';

const BUDGET = 20_000;
const FIXED = { backend: 'sandbox-cli', connector: 'amocrm', connectionId: 'conn-1', actionId: 'act-1' };
const TOOL = 'amocrm_run_action';

const len = (v: unknown) => JSON.stringify(v).length;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (out.push(k), strings(x, out)));
  return out;
}

/** Valid JSON that round-trips, within `max`, and no surrogate pair split anywhere. */
function expectWellFormed(value: unknown, max: number): void {
  const text = JSON.stringify(value);
  expect(JSON.parse(text)).toEqual(value);
  expect(text.length).toBeLessThanOrEqual(max);
  for (const s of strings(value)) expect(LONE_SURROGATE.test(s), `lone surrogate in ${JSON.stringify(s.slice(-20))}`).toBe(false);
}

/** Budgeted through the paging layer, then every page fetched: returns the first answer and all pages. */
async function budgetAndPage(payload: Record<string, unknown>, preferred?: (string | number)[], max = BUDGET) {
  const store = new ResultStore();
  const first = await budgetResult(TOOL, FIXED, payload, max, store, preferred);
  expectWellFormed(first, max);
  const pages: Record<string, unknown>[] = [];
  let t = first.truncated as { resultId?: string; nextOffset?: number } | undefined;
  let offset = t?.nextOffset;
  while (t?.resultId && offset !== undefined) {
    const page = await pageResult(TOOL, FIXED, t.resultId, offset, max, store);
    expectWellFormed(page, max);
    pages.push(page);
    t = page.truncated as typeof t;
    offset = t?.nextOffset;
    expect(pages.length).toBeLessThan(500);
  }
  return { first, pages };
}

const lead = (i: number) => ({ id: i, name: `Lead ${i}`, price: i * 10, status_id: 142, tags: [`t${i % 7}`] });

describe('fitToBudget: small inputs', () => {
  it('returns a small result unchanged and uncut', async () => {
    const doc = { output: { records: [lead(1), lead(2)], next: null }, note: 'Привет 😀' };
    const fitted = fitToBudget(doc, BUDGET);
    expect(fitted.cut).toBeUndefined();
    expect(fitted.value).toEqual(doc);
  });

  it('budgetResult adds no truncated object and stores nothing when the result fits', async () => {
    const state = new MemoryStateStore();
    const put = vi.spyOn(state, 'putResult');
    const payload = { output: { records: [lead(1)] } };
    const result = await budgetResult(TOOL, FIXED, payload, BUDGET, new ResultStore({ state }));
    expect(result).toEqual({ ...FIXED, ...payload });
    expect(put).not.toHaveBeenCalled();
  });

  it('a result exactly at the budget is not cut, one character over is', async () => {
    const base = { output: '' };
    const exact = { output: 'x'.repeat(BUDGET - len(base)) };
    expect(len(exact)).toBe(BUDGET);
    expect(fitToBudget(exact, BUDGET).cut).toBeUndefined();
    const over = { output: 'x'.repeat(BUDGET - len(base) + 1) };
    expect(fitToBudget(over, BUDGET).cut).toBeDefined();
  });
});

describe('fitToBudget: a 1 MB string', () => {
  const doc = { output: 'x'.repeat(1_000_000) };

  it('shortens the string visibly and keeps the whole text pageable', async () => {
    const fitted = fitToBudget(doc, BUDGET);
    expect(len(fitted.value)).toBeLessThanOrEqual(BUDGET - TRUNCATION_RESERVE);
    expect(fitted.cut?.pageable.kind).toBe('text');
    expect(fitted.cut?.shortenedStrings).toBe(1);
    expect(fitted.cut?.total).toBe(len(doc));
    const out = fitted.value.output as string;
    const m = /…\[(\d+) more characters\]$/.exec(out);
    expect(m).not.toBeNull();
    // The marker's count is exactly what is missing.
    expect(out.length - m![0].length + Number(m![1])).toBe(1_000_000);
  });

  it('through budgetResult: within budget, explicit, and paging returns the exact text', async () => {
    const { first, pages } = await budgetAndPage(doc);
    const t = first.truncated as Record<string, unknown>;
    expect(t).toMatchObject({ unit: 'characters', returned: 0, total: len(doc), nextOffset: 0 });
    expect(t.nextStep).toContain(`{"resultId":"${t.resultId}","offset":0}`);
    const text = pages.map((p) => p.jsonText as string).join('');
    expect(JSON.parse(text)).toEqual(doc);
    expect(pages.length).toBeGreaterThan(40);
  });
});

describe('fitToBudget: a 10,000-item array', () => {
  const records = Array.from({ length: 10_000 }, (_, i) => lead(i));
  const doc = { output: { records, cursor: 'abc' } };

  it('keeps a prefix of whole items and says how many', async () => {
    const fitted = fitToBudget(doc, BUDGET);
    expect(len(fitted.value)).toBeLessThanOrEqual(BUDGET - TRUNCATION_RESERVE);
    const cut = fitted.cut!;
    expect(cut.pageable).toMatchObject({ kind: 'items', path: ['output', 'records'] });
    expect(cut.total).toBe(10_000);
    const kept = (fitted.value.output as { records: unknown[] }).records;
    expect(kept.length).toBe(cut.returned);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toEqual(records.slice(0, kept.length)); // whole items, in order, none partial
    expect((fitted.value.output as { cursor: string }).cursor).toBe('abc');
  });

  it('uses nearly all of the budget (one more item would not fit)', async () => {
    const fitted = fitToBudget(doc, BUDGET);
    const k = fitted.cut!.returned;
    const plusOne = { output: { records: records.slice(0, k + 1), cursor: 'abc' } };
    expect(len(plusOne)).toBeGreaterThan(BUDGET - TRUNCATION_RESERVE);
  });

  it('through budgetResult: within budget with truncated, and paging returns every item once', async () => {
    const { first, pages } = await budgetAndPage(doc, ['output', 'records']);
    const t = first.truncated as Record<string, unknown>;
    expect(t).toMatchObject({ unit: 'items', path: 'output.records', total: 10_000 });
    const all = [first, ...pages].flatMap((p) => (p.output as { records: unknown[] }).records);
    expect(all).toEqual(records);
  });
});

describe('fitToBudget: deep nesting', () => {
  function nested(levels: number, filler = ''): Record<string, unknown> {
    let d: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < levels; i++) d = { level: i, ...(filler ? { filler } : {}), child: d };
    return d;
  }

  it('2,500 levels: valid JSON within budget, the cut marked, and the full text still pageable', async () => {
    const doc = { output: nested(2_500) };
    const fitted = fitToBudget(doc, BUDGET);
    expect(len(fitted.value)).toBeLessThanOrEqual(BUDGET - TRUNCATION_RESERVE);
    expect(JSON.stringify(fitted.value)).toContain('[nested deeper than 48 levels]');
    expect(fitted.cut?.pageable.kind).toBe('text');

    const { first, pages } = await budgetAndPage(doc);
    expect(first.truncated).toMatchObject({ unit: 'characters', resultId: expect.any(String) });
    expect((first.truncated as { nextStep: string }).nextStep).toMatch(/nested too deep/);
    const text = pages.map((p) => p.jsonText as string).join('');
    expect(text).toBe(JSON.stringify(doc));
  });

  it('2,000 levels with data at every level and a small budget: text pages, each within budget', async () => {
    const doc = { output: nested(2_000, 'Данные уровня 😀') };
    const { first, pages } = await budgetAndPage(doc, undefined, 2_000);
    expect(first.truncated).toBeDefined();
    const text = [first, ...pages]
      .filter((p) => typeof p.jsonText === 'string')
      .map((p) => p.jsonText as string)
      .join('');
    expect(text).toBe(JSON.stringify(doc));
  });

  it('a cyclic object does not throw and stays within budget', async () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const store = new ResultStore();
    const result = await budgetResult(TOOL, FIXED, { output: a }, BUDGET, store);
    expectWellFormed(result, BUDGET);
    expect(JSON.stringify(result)).toContain('[nested deeper than 48 levels]');
    expect(result.truncated).toBeDefined();
  });
});

describe('fitToBudget: non-ASCII text', () => {
  it('Cyrillic, CJK and emoji items are kept whole and in budget', async () => {
    const names = ['Сделка с ООО «Ромашка»', '商务合同第一阶段', 'Deal 🚀🎉 with 👩‍💻 team', 'Ёжик в тумане 🌫️'];
    const records = Array.from({ length: 3_000 }, (_, i) => ({ id: i, name: names[i % names.length], note: '日本語のメモ 📝'.repeat(3) }));
    const { first, pages } = await budgetAndPage({ output: { records } }, ['output', 'records']);
    const all = [first, ...pages].flatMap((p) => (p.output as { records: unknown[] }).records);
    expect(all).toEqual(records);
  });

  it('a huge emoji string is shortened without splitting a surrogate pair, at either parity', async () => {
    for (const prefix of ['', 'a', 'ab']) {
      const s = prefix + '😀'.repeat(300_000);
      const fitted = fitToBudget({ output: s }, BUDGET);
      expectWellFormed(fitted.value, BUDGET - TRUNCATION_RESERVE);
      const out = fitted.value.output as string;
      const m = /…\[(\d+) more characters\]$/.exec(out)!;
      expect(out.length - m[0].length + Number(m[1])).toBe(s.length);
    }
  });

  it('text slices never split a surrogate pair and concatenate to the original', async () => {
    const text = 'a' + '😀'.repeat(5_000) + '中文'.repeat(500);
    let offset = 0;
    let joined = '';
    while (offset < text.length) {
      const { value, returned } = textSlice(text, offset, 2_000);
      const slice = value.jsonText as string;
      expect(returned).toBe(slice.length);
      expect(returned).toBeGreaterThan(0);
      expect(LONE_SURROGATE.test(slice)).toBe(false);
      expect(len(value)).toBeLessThanOrEqual(2_000 - TRUNCATION_RESERVE);
      joined += slice;
      offset += returned;
    }
    expect(joined).toBe(text);
  });

  it('an object of many short emoji fields (no array, nothing to shorten) is paged as text, pairs intact', async () => {
    const doc = { output: Object.fromEntries(Array.from({ length: 4_000 }, (_, i) => [`поле_${i}`, `😀${i}🎉`])) };
    const { first, pages } = await budgetAndPage(doc);
    expect(first.truncated).toMatchObject({ unit: 'characters' });
    const text = [first, ...pages].map((p) => p.jsonText as string).join('');
    expect(JSON.parse(text)).toEqual(doc);
  });
});

describe('fitToBudget: an object with many large fields and no array', () => {
  const doc = { output: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field${i}`, `${i}:` + 'Ж'.repeat(5_000)])) };

  it('keeps every field, each whole or visibly shortened, and the full text pageable', async () => {
    const fitted = fitToBudget(doc, BUDGET);
    expect(len(fitted.value)).toBeLessThanOrEqual(BUDGET - TRUNCATION_RESERVE);
    const out = fitted.value.output as Record<string, string>;
    expect(Object.keys(out)).toEqual(Object.keys(doc.output));
    for (const [k, v] of Object.entries(out)) {
      const original = (doc.output as Record<string, string>)[k];
      if (v !== original) {
        const m = /…\[(\d+) more characters\]$/.exec(v)!;
        expect(m).not.toBeNull();
        expect(original.startsWith(v.slice(0, v.length - m[0].length))).toBe(true);
      }
    }
    expect(fitted.cut).toMatchObject({ pageable: { kind: 'text' }, returned: 0, shortenedStrings: 60 });
  });

  it('through budgetResult: the rest is reachable as text from offset 0', async () => {
    const { first, pages } = await budgetAndPage(doc);
    expect(first.truncated).toMatchObject({ shortenedStrings: 60, nextOffset: 0 });
    expect(JSON.parse(pages.map((p) => p.jsonText as string).join(''))).toEqual(doc);
  });
});

describe('fitToBudget: an array whose single item is larger than the budget', () => {
  it('a long string in the item: never a partial item in items mode; the whole item reachable as text', async () => {
    const doc = { output: { records: [{ id: 1, name: 'Big note', body: 'y'.repeat(100_000) }] } };
    const fitted = fitToBudget(doc, BUDGET, ['output', 'records']);
    expect(len(fitted.value)).toBeLessThanOrEqual(BUDGET - TRUNCATION_RESERVE);
    // Not an item page (that would hold a shortened, unreachable item): the JSON text is paged.
    expect(fitted.cut?.pageable.kind).toBe('text');
    const preview = (fitted.value.output as { records: Record<string, unknown>[] }).records[0];
    expect(Object.keys(preview)).toEqual(['id', 'name', 'body']);
    expect(preview.body).toMatch(/…\[\d+ more characters\]$/);

    const { first, pages } = await budgetAndPage(doc, ['output', 'records']);
    expect((first.truncated as { nextStep: string }).nextStep).not.toContain('This is the last part');
    expect(JSON.parse(pages.map((p) => p.jsonText as string).join(''))).toEqual(doc);
  });

  it('an item of thousands of small fields: JSON text pages, reconstructed exactly', async () => {
    const item = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`cf_${i}`, i]));
    const doc = { output: { records: [item] } };
    const { first, pages } = await budgetAndPage(doc, ['output', 'records']);
    expect(first.jsonText).toEqual(expect.any(String));
    expect(first.truncated).toMatchObject({ unit: 'characters', returned: (first.jsonText as string).length });
    const text = [first, ...pages].map((p) => p.jsonText as string).join('');
    expect(JSON.parse(text)).toEqual(doc);
  });
});

describe('fitToBudget: which array is paged', () => {
  const records = Array.from({ length: 150 }, (_, i) => lead(i)); // ~10 kB
  const big = Array.from({ length: 300 }, (_, i) => ({ i, text: 'x'.repeat(40) })); // ~16 kB, the largest
  const doc = { output: { records, big } };

  it('without a preference the largest array is cut', async () => {
    const fitted = fitToBudget(doc, 20_000);
    expect(fitted.cut?.pageable).toMatchObject({ kind: 'items', path: ['output', 'big'] });
    expect((fitted.value.output as { records: unknown[] }).records).toEqual(records);
  });

  it('the preferred path wins over the largest array', async () => {
    const fitted = fitToBudget(doc, 20_000, ['output', 'records']);
    expect(fitted.cut?.pageable).toMatchObject({ kind: 'items', path: ['output', 'records'] });
    expect((fitted.value.output as { big: unknown[] }).big).toEqual(big);
    const kept = (fitted.value.output as { records: unknown[] }).records;
    expect(kept).toEqual(records.slice(0, kept.length));
    expect(len(fitted.value)).toBeLessThanOrEqual(20_000 - TRUNCATION_RESERVE);
  });

  it('a preferred path that is not an array falls back to the largest array', async () => {
    const fitted = fitToBudget(doc, 20_000, ['output', 'nothing']);
    expect(fitted.cut?.pageable).toMatchObject({ kind: 'items', path: ['output', 'big'] });
  });

  it('hostile long keys on the path do not push the result over the budget', async () => {
    const k = 'k'.repeat(600);
    const payload = { [k]: { [k]: Array.from({ length: 500 }, (_, i) => ({ i, n: `name ${i}` })) } };
    const result = await budgetResult(TOOL, FIXED, payload, 5_000, new ResultStore());
    expectWellFormed(result, 5_000);
    expect(result.truncated).toMatchObject({ unit: 'items', nextOffset: expect.any(Number) });
  });
});

describe('sanitize', () => {
  it('drops functions, undefined and symbols from objects and nulls them in arrays', async () => {
    const input = {
      a: 1,
      f: () => 1,
      u: undefined,
      s: Symbol('x'),
      b: 10n,
      arr: [1, undefined, () => 2, 'x'],
      nested: { g() {}, ok: true },
    };
    expect(sanitize(input)).toEqual({ a: 1, arr: [1, null, null, 'x'], nested: { ok: true } });
    expect(Object.keys(sanitize(input) as object)).toEqual(['a', 'arr', 'nested']);
  });

  it('turns non-finite numbers into null', async () => {
    expect(sanitize({ a: NaN, b: Infinity, c: -Infinity, d: 1.5 })).toEqual({ a: null, b: null, c: null, d: 1.5 });
  });

  it('caps depth at 48 levels with a marker', async () => {
    let d: unknown = 'bottom';
    for (let i = 0; i < 100; i++) d = { a: d };
    let cur = sanitize(d) as Record<string, unknown>;
    let depth = 0;
    while (typeof cur === 'object') {
      cur = cur.a as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(48);
    expect(cur).toBe('[nested deeper than 48 levels]');
  });

  it('counts the values it cut off', async () => {
    const capped = { n: 0 };
    let narrow: unknown = 1;
    for (let i = 0; i < 60; i++) narrow = { x: narrow, y: [i] };
    sanitize(narrow, 0, capped);
    // One object chain crosses depth 48 once; the y arrays at depths 47 and above hit the cap too.
    expect(capped.n).toBeGreaterThan(0);
    const none = { n: 0 };
    sanitize({ a: { b: [1, 2, { c: 3 }] } }, 0, none);
    expect(none.n).toBe(0);
  });
});
