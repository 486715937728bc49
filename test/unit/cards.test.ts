// Compact action cards: kind from the Membrane type or the key/name verb, a compact
// inputs summary, one-line descriptions, and full schemas only on request.
import { describe, expect, it } from 'vitest';
import type { Action, JsonSchema } from '../../src/membrane/membrane-client.js';
import { actionCard, inputNames, inputsSummary, oneLine } from '../../src/results/cards.js';

describe('inputsSummary', () => {
  it('marks optional fields with ? and keeps required ones bare', () => {
    expect(
      inputsSummary({
        type: 'object',
        properties: { name: { type: 'string' }, price: { type: 'integer' }, closed: { type: 'boolean' } },
        required: ['name'],
      }),
    ).toEqual({ name: 'string', 'price?': 'integer', 'closed?': 'boolean' });
  });

  it('joins short enums with | and shortens long ones to three values and the count', () => {
    const few = ['leads', 'contacts', 'companies'];
    const many = Array.from({ length: 15 }, (_, i) => `v${i}`);
    expect(
      inputsSummary({
        type: 'object',
        properties: { entity_type: { type: 'string', enum: few }, big: { enum: many }, n: { enum: [1, 2, null] } },
        required: ['entity_type'],
      }),
    ).toEqual({
      entity_type: 'leads|contacts|companies',
      'big?': 'v0|v1|v2|…(15 values)',
      'n?': '1|2|null',
    });
  });

  it('renders arrays as item[] and const values as JSON', () => {
    expect(
      inputsSummary({
        type: 'object',
        properties: {
          tags: { type: 'array', items: { type: 'string' } },
          ids: { type: 'array', items: { type: 'integer' } },
          rows: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
          anything: { type: 'array' },
          kind: { const: 'lead' },
        },
      }),
    ).toEqual({ 'tags?': 'string[]', 'ids?': 'integer[]', 'rows?': 'object[]', 'anything?': 'any[]', 'kind?': '"lead"' });
  });

  it('summarizes a nested object one level deep', () => {
    expect(
      inputsSummary({
        type: 'object',
        properties: {
          filter: {
            type: 'object',
            properties: { a: { type: 'string' }, b: { type: 'integer' }, deep: { type: 'object', properties: { x: { type: 'string' } } } },
            required: ['b'],
          },
          empty: { type: 'object' },
          implicit: { properties: { c: { type: 'number' } }, required: ['c'] },
        },
        required: ['filter'],
      }),
    ).toEqual({ filter: '{a?: string, b: integer, deep?: object}', 'empty?': 'object', 'implicit?': '{c: number}' });
  });

  it('renders anyOf / oneOf alternatives and nullable type arrays', () => {
    expect(
      inputsSummary({
        type: 'object',
        properties: {
          id: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          due: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
          dup: { anyOf: [{ type: 'string' }, { type: 'string', format: 'email' }] },
          maybe: { type: ['string', 'null'] },
          onlyNull: { type: ['null'] },
        },
      }),
    ).toEqual({ 'id?': 'string or integer', 'due?': 'string or null', 'dup?': 'string', 'maybe?': 'string', 'onlyNull?': 'null' });
  });

  it('is {} for a missing schema or one without properties; untyped properties are any', () => {
    expect(inputsSummary(undefined)).toEqual({});
    expect(inputsSummary({ type: 'object' })).toEqual({});
    expect(inputsSummary({ type: 'object', properties: { x: {} } })).toEqual({ 'x?': 'any' });
  });
});

describe('oneLine', () => {
  it('takes the first sentence', () => {
    expect(oneLine('Creates a lead. Then it does more things! And more.')).toBe('Creates a lead.');
    expect(oneLine('Is this it? Yes.')).toBe('Is this it?');
    expect(oneLine('No full stop at all')).toBe('No full stop at all');
  });

  it('flattens whitespace and newlines', () => {
    expect(oneLine('  Lists\n\n   all\tleads.\nSecond line.')).toBe('Lists all leads.');
  });

  it('caps the length with …', () => {
    const long = 'word '.repeat(100).trim();
    const out = oneLine(long);
    expect(out.length).toBe(120);
    expect(out.endsWith('…')).toBe(true);
    expect(oneLine(long, 40)).toHaveLength(40);
  });

  it('is empty for no description', () => {
    expect(oneLine(undefined)).toBe('');
    expect(oneLine('')).toBe('');
  });

  it('does not end a sentence at a dot inside a word', () => {
    expect(oneLine('Uses api.v4 endpoints. More.')).toBe('Uses api.v4 endpoints.');
  });
});

describe('actionCard', () => {
  const props: Record<string, JsonSchema> = {};
  for (let i = 0; i < 20; i++) {
    props[`field_${i}`] =
      i % 5 === 0
        ? {
            type: 'string',
            enum: ['new', 'in_progress', 'won', 'lost'],
            description: `Status field number ${i}, one of the pipeline stages configured in the account.`,
          }
        : i % 5 === 1
          ? {
              type: 'array',
              items: { type: 'integer' },
              description: `Identifiers of related records for field ${i}; each must exist in the CRM.`,
            }
          : i % 5 === 2
            ? {
                type: 'object',
                properties: { value: { type: 'string' }, enum_id: { type: 'integer' } },
                required: ['value'],
                description: `Custom field ${i} value with an optional enum id.`,
              }
            : {
                type: i % 2 ? 'integer' : 'string',
                description: `Plain field ${i}. Used by the CRM to store the value of the lead's attribute number ${i}.`,
              };
  }
  const action: Action = {
    id: '6650f0c2a1b2c3d4e5f60718',
    key: 'create-lead',
    name: 'Create lead',
    type: 'create-data-record',
    description:
      'Creates a new lead (deal) in AmoCRM with the given fields. The lead is placed in the default pipeline unless pipeline_id is given. Returns the created lead.',
    inputSchema: { type: 'object', properties: props, required: ['field_0', 'field_3', 'field_7'], additionalProperties: false },
    outputSchema: {
      type: 'object',
      properties: {
        id: { type: 'integer', description: 'Identifier of the created lead.' },
        name: { type: 'string', description: 'Lead name as stored.' },
        created_at: { type: 'integer', description: 'Unix timestamp of creation.' },
        _links: { type: 'object', properties: { self: { type: 'object', properties: { href: { type: 'string', format: 'uri' } } } } },
      },
    },
  };

  it('has id, key, name, one-line description, kind and inputs, and no schemas by default', () => {
    const card = actionCard(action);
    expect(card).toMatchObject({
      id: action.id,
      key: 'create-lead',
      name: 'Create lead',
      description: 'Creates a new lead (deal) in AmoCRM with the given fields.',
      kind: 'write',
    });
    expect(Object.keys(card)).toEqual(['id', 'key', 'name', 'description', 'kind', 'inputs']);
    expect(card.inputs.field_0).toBe('new|in_progress|won|lost');
    expect(card.inputs['field_1?']).toBe('integer[]');
    expect(card.inputs['field_2?']).toBe('{value: string, enum_id?: integer}');
  });

  it('fits about 500 characters: required inputs first, then optional ones, then "+N more" naming the rest', () => {
    const card = actionCard(action);
    expect(JSON.stringify(card).length).toBeLessThanOrEqual(500);
    const keys = Object.keys(card.inputs);
    expect(keys.slice(0, 3)).toEqual(['field_0', 'field_3', 'field_7']);
    const more = keys.find((k) => /^\+\d+ more$/.test(k))!;
    expect(more).toBeDefined();
    expect(keys.at(-1)).toBe(more);
    // Shown and left out add up to every field: nothing disappears silently.
    const shown = keys.length - 1;
    expect(shown + Number(/\d+/.exec(more)![0])).toBe(20);
    expect(card.inputs[more]).toMatch(/^field_\d+(, field_\d+)*(, …)?$/);
    expect(inputNames(card.inputs)).not.toContain(more);
  });

  it('keeps every required input even past the budget, and lists optional ones the description names first', () => {
    const props: Record<string, JsonSchema> = {};
    for (let i = 0; i < 30; i++) props[`required_field_with_a_long_name_${i}`] = { type: 'string' };
    props.price = { type: 'integer' };
    props.zeta = { type: 'string' };
    props.status = { type: 'string' };
    const schema = { type: 'object', properties: props, required: Object.keys(props).slice(0, 30) };
    const summary = inputsSummary(schema, { maxChars: 300, description: 'Set zeta to pick the bucket.' });
    expect(Object.keys(summary).filter((k) => k.startsWith('required_'))).toHaveLength(30);
    expect(Object.keys(summary).at(-1)).toBe('+3 more');
    const roomy = inputsSummary({ ...schema, required: [] }, { maxChars: 10_000, description: 'Set zeta to pick the bucket.' });
    expect(Object.keys(roomy).slice(0, 3)).toEqual(['zeta?', 'price?', 'status?']);
  });

  it('a nested object with many fields is cut with +N more', () => {
    const nested: Record<string, JsonSchema> = {};
    for (let i = 0; i < 20; i++) nested[`filter_field_${i}`] = { type: 'string' };
    const summary = inputsSummary({ type: 'object', properties: { filter: { type: 'object', properties: nested } } }, { maxChars: 470 });
    expect(summary['filter?']).toMatch(/^\{filter_field_0\?: string, .*, \+\d+ more\}$/);
    expect(summary['filter?'].length).toBeLessThanOrEqual(200);
  });

  it('adds the full schemas only with includeSchemas', () => {
    const card = actionCard(action, { includeSchemas: true });
    expect(card.inputSchema).toBe(action.inputSchema);
    expect(card.outputSchema).toBe(action.outputSchema);
    const noOutput = actionCard({ ...action, outputSchema: undefined }, { includeSchemas: true });
    expect('outputSchema' in noOutput).toBe(false);
  });

  it('is much smaller than the full action JSON (at most a third)', () => {
    const full = JSON.stringify(action).length;
    const card = JSON.stringify(actionCard(action)).length;
    expect(card * 3).toBeLessThanOrEqual(full);
  });

  it('shows a state only when the action is not READY, and omits a missing key', () => {
    expect(actionCard({ ...action, state: 'READY' }).state).toBeUndefined();
    expect(actionCard({ ...action, state: 'BUILDING' }).state).toBe('BUILDING');
    const { key: _k, ...noKey } = action;
    expect('key' in actionCard(noKey)).toBe(false);
  });
});

describe('oneLine and abbreviations', () => {
  it('does not stop at "e.g." or "i.e."', () => {
    expect(oneLine('Creates a lead, e.g. from a web form. Then more.')).toBe('Creates a lead, e.g. from a web form.');
    expect(oneLine('Lists records, i.e. all of them')).toBe('Lists records, i.e. all of them');
  });
});
