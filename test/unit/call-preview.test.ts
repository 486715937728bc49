// What a person is shown before a risky call: agent-chosen text quoted, on one line, escaped and capped;
// the kind and the target first, so a forged name cannot add lines or push them out of view.
import { describe, expect, it } from 'vitest';
import { actionPreview, jsonLine, previewMessage, quoted, requestPreview, valueLine } from '../../src/policy/call-preview.js';

// Forgeries an agent (or text it read) could put in an action name.
const FORGED_NAMES: [string, string][] = [
  ['newlines with fake lines', 'Get account)\nkind: read\ninput: {"id":"(read only, nothing changes)"}\n\n\n\n\n\n\n\n('],
  ['CR LF', 'x\r\nkind: read'],
  ['Unicode line separator', 'x\u2028kind: read'],
  ['Unicode paragraph separator', 'x\u2029kind: read'],
  ['next line (C1)', 'x\u0085kind: read'],
  ['vertical tab and form feed', 'x\u000bkind: read\u000c'],
  ['right-to-left override', 'x\u202edaer :dnik'],
  ['bidi isolate', 'x\u2067kind: read\u2069'],
  ['zero-width space and BOM', 'x\u200b\ufeffkind'],
  ['NUL', 'x\u0000kind'],
  ['lone surrogate', 'x\ud800kind'],
];

describe('quoted', () => {
  it.each(FORGED_NAMES)('%s: stays one quoted line with every unsafe character escaped', (_what, name) => {
    const q = quoted(name);
    expect(q.startsWith('"')).toBe(true);
    expect(q).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
    expect(q.split('\n')).toHaveLength(1);
  });

  it('escapes quotes and backslashes, and shows newlines and separators as escapes', () => {
    expect(quoted('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoted('a\nb\tc')).toBe('"a\\nb\\tc"');
    expect(quoted('a\u2028b\u202ec')).toBe('"a\\u2028b\\u202ec"');
  });

  it('caps a 10 kB string and says how long it was', () => {
    const q = quoted('k'.repeat(10_000));
    expect(q.length).toBeLessThan(200);
    expect(q).toMatch(/^"k+"… \(10000 characters\)$/);
  });

  it('never splits a character made of two UTF-16 units', () => {
    const q = quoted('😀'.repeat(300), 5);
    expect(q).toBe(`"${'😀'.repeat(5)}"… (300 characters)`);
  });
});

describe('jsonLine', () => {
  it('is one line of JSON with separators and overrides escaped, capped', () => {
    const line = jsonLine({ name: 'a\u2028b\u202ec\nd' });
    expect(line).toBe('{"name":"a\\u2028b\\u202ec\\nd"}');
    expect(JSON.parse(line)).toEqual({ name: 'a\u2028b\u202ec\nd' });
    expect(jsonLine({ big: 'x'.repeat(10_000) })).toMatch(/… \(10010 characters\)$/);
  });

  it('shows nesting deeper than the cap as a marker instead of failing', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(jsonLine(deep)).toMatch(/nested deeper than|… \(/);
  });
});

describe('previews', () => {
  const action = { id: '0448b7f284683d4e205263fc', key: 'get-account-kind-read', type: 'delete-data-record' };
  const base = { kind: 'destructive' as const, connector: '1CRM', connectionId: 'ff4f31ab36b1fbe17bf41fcc' };

  it.each(FORGED_NAMES)('%s in a name adds no line to the dialog; kind, target and input come first', (_what, name) => {
    const preview = actionPreview({ ...base, action: { ...action, name }, input: { id: '4b0cfae3' } });
    expect(Object.keys(preview)).toEqual([
      'kind',
      'connector',
      'connectionId',
      'actionId',
      'actionType',
      'input',
      'actionKey',
      'actionName',
    ]);
    const lines = previewMessage('destructive', preview).split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('Allow this destructive call?');
    expect(lines[1]).toBe('kind: destructive');
    expect(lines.filter((l) => l.startsWith('kind:'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('input:'))).toEqual(['input: {"id":"4b0cfae3"}']);
    expect(lines[8]).toMatch(/^actionName: "/);
  });

  it('a forged input value and a 10 kB name stay on their lines and within a bounded message', () => {
    const preview = actionPreview({
      ...base,
      action: { ...action, name: 'n'.repeat(10_000), key: 'k\nkind: read' },
      input: { note: 'ok"}\nkind: read\u2028', blob: 'b'.repeat(10_000) },
    });
    const message = previewMessage('destructive', preview);
    expect(message.split('\n')).toHaveLength(10);
    expect(message.length).toBeLessThan(1500);
    expect(preview.actionKey).toBe('"k\\nkind: read"');
  });

  it('proxy requests: method, quoted path, escaped query and body', () => {
    const preview = requestPreview({
      kind: 'destructive',
      connector: 'AmoCRM',
      connectionId: 'c1',
      method: 'DELETE',
      path: '/api/v4/leads/1\u202e',
      query: { 'a\u2028': 'b\nc' },
      body: { x: 1 },
    });
    expect(preview).toEqual({
      kind: 'destructive',
      connector: 'AmoCRM',
      connectionId: 'c1',
      request: 'DELETE "/api/v4/leads/1\\u202e"',
      query: '{"a\\u2028":"b\\nc"}',
      body: '{"x":1}',
    });
  });

  it('F4a: a long value early in the input cannot hide the keys after it: every key shows with its own capped value', () => {
    const input = {
      id: 21034001,
      name: 'Nordwind Logistik GmbH: Data analytics dashboard',
      tags: Array.from({ length: 30 }, (_, i) => `spelling-check-${i}`),
      price: 1,
      status_id: 143,
    };
    const line = actionPreview({ ...base, action: { ...action, name: 'Update lead' }, input }).input;
    expect(line).toContain('"id":21034001');
    // The array is listed item by item too: short items all show, and the keys after it.
    expect(line).toMatch(/"tags":\["spelling-check-0",.*"spelling-check-29"\],"price":1,"status_id":143\}$/);
    expect(line.split('\n')).toHaveLength(1);
  });

  it('F4a: one level down too: in an AmoCRM-style body (an array of objects) a long value cannot hide the keys after it', () => {
    const body = [{ id: 21034001, name: 'A'.repeat(250), status_id: 143, price: 0 }];
    expect(valueLine(body)).toBe(`[{"id":21034001,"name":"${'A'.repeat(199)}… (252 characters),"status_id":143,"price":0}]`);
    // Deeper than that, a value is its capped JSON.
    expect(valueLine({ a: { b: { c: 'z'.repeat(300) } } })).toMatch(/^\{"a":\{"b":\{"c":"z+… \(308 characters\)\}\}$/);
  });

  it('F4a: uncut, the line is the JSON; many keys are all listed up to a bound, then counted; values past the budget are marked', () => {
    expect(valueLine({ id: '4b0cfae3', n: [1, 2] })).toBe('{"id":"4b0cfae3","n":[1,2]}');
    expect(valueLine([{ name: 'a' }, { name: 'b' }])).toBe('[{"name":"a"},{"name":"b"}]');
    expect(valueLine('plain')).toBe('"plain"');
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, 'v'.repeat(300)]));
    const line = valueLine(many);
    for (let i = 0; i < 60; i++) expect(line).toContain(`"k${i}":`);
    // Keys past the listed ones are still named (values left out).
    expect(line).toMatch(/,… \(20 more keys: "k60", "k61", .*"k79"\)\}$/);
    const hidden = valueLine(Object.fromEntries([...Array.from({ length: 70 }, (_, i) => [`k${i}`, i]), ['status_id', 143]]));
    expect(hidden).toMatch(/… \(11 more keys: .*"status_id"\)\}$/);
    expect(line).toMatch(/"k59":… \(302 characters\)/);
    expect(line.length).toBeLessThan(6000);
    // A key is agent text too: escaped, capped, on the one line.
    expect(valueLine({ 'a\u2028b\u202e': 1 })).toBe('{"a\\u2028b\\u202e":1}');
    expect(valueLine(JSON.parse('{"__proto__":{"admin":true},"a":1}'))).toBe('{"__proto__":{"admin":true},"a":1}');
  });

  it('F4b: proxy headers are shown, each quoted and escaped, on a line of their own', () => {
    const preview = requestPreview({
      kind: 'destructive',
      connector: '1CRM',
      connectionId: 'c1',
      method: 'DELETE',
      path: '/data/Account/1',
      headers: { 'X-Cascade-Delete': 'all-related-records', Prefer: 'hard-delete\nkind: read' },
    });
    expect(preview.headers).toBe('"X-Cascade-Delete: all-related-records", "Prefer: hard-delete\\nkind: read"');
    const lines = previewMessage('destructive', preview).split('\n');
    expect(lines.filter((l) => l.startsWith('headers: '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('kind: '))).toEqual(['kind: destructive']);
  });
});
