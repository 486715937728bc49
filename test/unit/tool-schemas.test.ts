// The tools as planned and listed: names, the sibling tools descriptions point at in each mode, annotations
// that follow --read-only, a client of either protocol era receiving exactly listedSchema(strict), argument
// errors mapped to fields, results that fit the output schemas, and the size of tools/list. What each tool
// looks like to agents, field by field, is pinned in test/unit/toolsnaps/ (tool-snapshots.test.ts).
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsSchema, type Settings } from '../../src/config.js';
import { entityList, resolveConnectors } from '../../src/connectors.js';
import { ToolError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createServerFactory } from '../../src/server.js';
import { actionCard } from '../../src/results/cards.js';
import { budgetResult } from '../../src/results/paging.js';
import { failure } from '../../src/results/tool-result.js';
import { ResultStore } from '../../src/results/result-store.js';
import { MAX_RESULT_META_KEY, announcedResultChars, planTools, type PlannedTool } from '../../src/tools/registry.js';
import { invalidArguments, listedSchema, nestingProblem } from '../../src/tools/argument-schemas.js';
import { type Era } from '../helpers/mcp.js';
import { FakeMembraneClient } from '../helpers/fake-membrane-client.js';
import { connectInProcess } from '../helpers/in-process.js';

const NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
const SUFFIXES = ['list_connections', 'search_actions', 'create_action', 'run_action', 'proxy_request'];

const connectors = resolveConnectors(['amocrm', '1crm']);
const MODES: Record<string, Settings> = {
  'per-connector': SettingsSchema.parse({}),
  shared: SettingsSchema.parse({ toolMode: 'shared' }),
  'read-only': SettingsSchema.parse({ readOnly: true }),
};
const plan = (settings: Settings) => planTools({ settings, connectors });

/** JSON as it travels: undefined-valued keys disappear. */
const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** tools/list as a real SDK client of `era` receives it from the server factory. */
async function listedTools(settings: Settings, era: Era) {
  const { factory } = createServerFactory({
    settings,
    client: new FakeMembraneClient(),
    log: createLogger({ level: 'error', write: () => undefined }),
    version: '0.0.0',
  });
  const served = await connectInProcess(factory, { era });
  const { tools } = await served.client.listTools();
  await served.close();
  return tools;
}

const listings = new Map<string, Awaited<ReturnType<typeof listedTools>>>();
async function listing(mode: string, era: Era = 'legacy') {
  const key = `${mode}/${era}`;
  if (!listings.has(key)) listings.set(key, await listedTools(MODES[mode], era));
  return listings.get(key)!;
}

afterAll(() => listings.clear());

describe.each(Object.keys(MODES))('%s tools', (mode) => {
  const settings = MODES[mode];
  const tools = plan(settings);

  // Read-only leaves create_action out: building an action writes to the Membrane workspace.
  const suffixes = settings.readOnly ? SUFFIXES.filter((s) => s !== 'create_action') : SUFFIXES;

  it('has five tools per connector (or five shared; four under --read-only), with valid, unique names', () => {
    expect(tools).toHaveLength(mode === 'shared' ? suffixes.length : 2 * suffixes.length);
    for (const t of tools) expect(t.name).toMatch(NAME);
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    const expected =
      mode === 'shared' ? suffixes.map((s) => `crm_${s}`) : ['amocrm', 'onecrm'].flatMap((p) => suffixes.map((s) => `${p}_${s}`));
    expect(tools.map((t) => t.name)).toEqual(expected);
  });

  it.each<Era>(['legacy', 'modern'])('a %s client receives exactly listedSchema(strict) for every tool, in a fixed order', async (era) => {
    const listed = await listing(mode, era);
    expect(listed.map((t) => t.name)).toEqual(tools.map((t) => t.name));
    for (const t of tools) {
      const l = listed.find((x) => x.name === t.name)!;
      expect(wire(l.inputSchema)).toStrictEqual(wire(listedSchema(t.input, 'input')));
      expect(wire(l.outputSchema)).toStrictEqual(wire(listedSchema(t.spec.output, 'output')));
      expect(l.title).toBe(t.title);
      expect(l.description).toBe(t.description);
    }
  });

  it.each<Era>(['legacy', 'modern'])(
    'a %s client reads anthropic/maxResultSizeChars on every tool: the output budget plus room for a link',
    async (era) => {
      for (const t of await listing(mode, era)) {
        expect(t._meta?.[MAX_RESULT_META_KEY], t.name).toBe(settings.maxResultChars + 1000);
      }
    },
  );

  it('annotations of run and proxy follow --read-only; the others never change', () => {
    for (const t of tools) {
      const a = t.spec.annotations(settings);
      if (/_(run_action|proxy_request)$/.test(t.name)) {
        expect(a.readOnlyHint).toBe(settings.readOnly);
        expect(a.destructiveHint).toBe(!settings.readOnly);
      } else if (/_create_action$/.test(t.name)) {
        expect(a).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
      } else {
        expect(a).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
      }
    }
  });

  it('descriptions name the sibling tools in this mode', () => {
    const ref = (t: PlannedTool, suffix: string) => (t.shared ? `crm_${suffix}` : `${t.connectors[0].prefix}_${suffix}`);
    for (const t of tools) {
      if (t.spec.suffix === 'search_actions') {
        for (const s of ['run_action', 'create_action', 'proxy_request']) {
          if (suffixes.includes(s)) expect(t.description).toContain(ref(t, s));
          else expect(t.description).not.toContain(ref(t, s));
        }
      }
      if (t.spec.suffix === 'create_action') expect(t.description).toContain(ref(t, 'run_action'));
      // A per-connector tool never points at another connector's tools.
      if (!t.shared) expect(t.description).not.toMatch(t.connectors[0].key === 'amocrm' ? /onecrm_/ : /amocrm_/);
    }
  });
});

describe('descriptions', () => {
  const tools = plan(MODES['per-connector']);

  it('search_actions names every entity of its connector', () => {
    const amo = tools.find((t) => t.name === 'amocrm_search_actions')!;
    for (const e of ['Lead (deal)', 'Note', 'Contact', 'Company', 'Task']) expect(amo.description).toContain(e);
    const one = tools.find((t) => t.name === 'onecrm_search_actions')!;
    expect(one.description).toContain(entityList(connectors[1]));
    for (const e of ['Account', 'Opportunity', 'Invoice', 'Purchase Order', 'User']) expect(one.description).toContain(e);
    // UI features of the 1CRM overview are not data models: not advertised.
    for (const e of ['Dashboard', 'Mass Update', 'Global Search', 'Layout', 'System Settings']) expect(one.description).not.toContain(e);
  });

  it('name the CRM they serve', () => {
    for (const t of tools) {
      if (t.spec.suffix === 'proxy_request' || t.spec.suffix === 'list_connections' || t.spec.suffix === 'search_actions') {
        expect(t.description).toContain(t.connectors[0].displayName);
      }
      expect(t.title.startsWith(`${t.connectors[0].displayName}: `)).toBe(true);
    }
  });

  it('shared mode has a connector argument listing both CRMs', () => {
    const shared = plan(MODES.shared);
    for (const t of shared) {
      const json = listedSchema(t.input, 'input') as { properties: Record<string, { enum?: string[] }>; required?: string[] };
      expect(json.properties.connector.enum).toEqual(['amocrm', '1crm']);
      expect(json.required).toContain('connector');
      expect(t.title.startsWith('CRM: ')).toBe(true);
    }
  });
});

describe('invalidArguments', () => {
  const tools = plan(MODES['per-connector']);
  const tool = (name: string) => tools.find((t) => t.name === name)!;

  function fieldsOf(name: string, args: unknown) {
    const t = tool(name);
    const parsed = t.input.safeParse(args);
    expect(parsed.success).toBe(false);
    const e = invalidArguments(parsed.error!, t.name);
    expect(e).toBeInstanceOf(ToolError);
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.retryable).toBe(false);
    expect(e.nextStep).toContain(t.name);
    return { e, fields: e.details?.fields as { field: string; problem: string }[] };
  }

  it('names each unknown key', () => {
    const { e, fields } = fieldsOf('amocrm_search_actions', { intent: 'x', bogus: 1, other: 2 });
    expect(fields).toEqual([
      { field: 'bogus', problem: 'is not an argument of this tool' },
      { field: 'other', problem: 'is not an argument of this tool' },
    ]);
    expect(e.message).toContain('bogus is not an argument of this tool');
  });

  it('maps type and range errors to their fields', () => {
    const { fields } = fieldsOf('amocrm_search_actions', { intent: 42, limit: 50 });
    expect(fields.map((f) => f.field)).toEqual(['intent', 'limit']);
    for (const f of fields) expect(f.problem).toBeTruthy();
  });

  it('names nested fields with dots', () => {
    const { fields } = fieldsOf('amocrm_proxy_request', { path: '/x', query: { a: { b: 1 } } });
    expect(fields).toEqual([{ field: 'query.a', problem: 'must be a string, number, boolean or an array of them' }]);
  });

  it('enforces the id refinements that the listing leaves out', () => {
    const { fields } = fieldsOf('amocrm_run_action', { actionId: '--help' });
    expect(fields[0].field).toBe('actionId');
    expect(fields[0].problem).toMatch(/not starting with -/);
  });

  it('a non-object argument list is "(arguments)"', () => {
    const { fields } = fieldsOf('amocrm_list_connections', 'refresh');
    expect(fields[0].field).toBe('(arguments)');
  });

  it('echoes a huge argument name shortened, saying how much was cut, and lists at most ten problems in the message', () => {
    const { e, fields } = fieldsOf('amocrm_list_connections', { ['k'.repeat(100_000)]: 1 });
    expect(fields[0].field.length).toBeLessThan(120);
    expect(fields[0].field).toMatch(/more characters cut/);
    expect(e.message.length).toBeLessThan(300);
    const many = fieldsOf('amocrm_list_connections', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`bogus${i}`, 1])));
    expect(many.fields).toHaveLength(30);
    expect(many.e.message).toContain('and 20 more (see details)');
  });

  it('shared mode refuses an unknown connector', () => {
    const t = plan(MODES.shared).find((x) => x.name === 'crm_run_action')!;
    const parsed = t.input.safeParse({ connector: 'hubspot', actionId: 'x' });
    expect(parsed.success).toBe(false);
    const fields = invalidArguments(parsed.error!, t.name).details?.fields as { field: string }[];
    expect(fields.map((f) => f.field)).toEqual(['connector']);
  });
});

describe('nestingProblem', () => {
  const nest = (levels: number) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  };

  it('accepts 64 levels and refuses 65, naming where, without recursion (10,000 levels)', () => {
    expect(nestingProblem({ body: nest(63) }, 64)).toBeUndefined();
    const e = nestingProblem({ body: nest(64) }, 64)!;
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/deeper than 64 levels \(at body\.a\.a\.….a\)/);
    expect(nestingProblem({ body: nest(10_000) }, 64)?.code).toBe('INVALID_INPUT');
    expect(nestingProblem({ list: [[[[1]]]] }, 3)?.code).toBe('INVALID_INPUT');
    expect(nestingProblem('flat', 1)).toBeUndefined();
  });
});

describe('results fit the output schemas (strict zod and the listed JSON Schema)', () => {
  const tools = plan(MODES['per-connector']);
  const tool = (name: string) => tools.find((t) => t.name === name)!;
  const ajv = new Ajv({ strict: false });

  function expectConforms(name: string, result: Record<string, unknown>) {
    const t = tool(name);
    expect(() => t.spec.output.parse(result)).not.toThrow();
    const validate = ajv.compile(listedSchema(t.spec.output, 'output'));
    expect(validate(wire(result)), JSON.stringify(validate.errors)).toBe(true);
  }

  const fixed = { backend: 'sandbox-cli', connector: 'amocrm' };
  const records = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `Lead ${i}` }));

  it('run_action: a budgeted result with items truncation, a text truncation, and a plain one', async () => {
    const store = new ResultStore();
    const f = { ...fixed, connectionId: 'c1', actionId: 'a1', actionRunId: 'r1' };
    const items = await budgetResult('amocrm_run_action', f, { output: { records } }, 5_000, store, ['output', 'records']);
    expect(items.truncated).toBeDefined();
    expectConforms('amocrm_run_action', items);
    const text = await budgetResult('amocrm_run_action', f, { output: 'x'.repeat(100_000) }, 5_000, store);
    expectConforms('amocrm_run_action', text);
    expectConforms('amocrm_run_action', await budgetResult('amocrm_run_action', f, { output: null }, 5_000, store));
  });

  it('search_actions: cards, with and without truncation', async () => {
    const action = {
      id: 'a1',
      key: 'create-lead',
      name: 'Create lead',
      type: 'create-data-record',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } } },
    };
    const cards = Array.from({ length: 5 }, () => actionCard(action));
    const store = new ResultStore();
    expectConforms(
      'amocrm_search_actions',
      await budgetResult('amocrm_search_actions', { ...fixed, connectionId: 'c1' }, { actions: cards }, 20_000, store, ['actions']),
    );
  });

  it('proxy_request: status, headers, body', () => {
    expectConforms('amocrm_proxy_request', {
      ...fixed,
      connectionId: 'c1',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { items: [], entity: 'leads' },
    });
    expectConforms('amocrm_proxy_request', { ...fixed, connectionId: 'c1', status: 204, headers: {}, body: null });
  });

  it('list_connections and create_action', () => {
    expectConforms('amocrm_list_connections', {
      ...fixed,
      connections: [{ id: 'c1', name: 'AmoCRM', state: 'READY', disconnected: false, isDefault: true }],
      nextStep: 'Call amocrm_search_actions.',
    });
    expectConforms('amocrm_create_action', {
      ...fixed,
      connectionId: 'c1',
      action: { id: 'a', name: 'x', state: 'BUILDING' },
      done: false,
      nextStep: 'wait',
    });
  });

  it('an error result {backend, connector, error} fits every tool', () => {
    const err = failure(new ToolError('NOT_FOUND', 'gone', { nextStep: 'look again' }), 'sandbox-cli', 'amocrm');
    for (const t of tools) expectConforms(t.name, err.structuredContent as Record<string, unknown>);
  });
});

describe('the listing as a whole', () => {
  it('announces what --max-result-chars sets, within what Claude Code accepts (500,000)', async () => {
    expect(announcedResultChars(20_000)).toBe(21_000);
    expect(announcedResultChars(1_000_000)).toBe(500_000);
    const tools = await listedTools(SettingsSchema.parse({ maxResultChars: 50_000 }), 'modern');
    expect(new Set(tools.map((t) => t._meta?.[MAX_RESULT_META_KEY]))).toEqual(new Set([51_000]));
  });

  it('the per-connector tools/list for the two built-in connectors stays within 10,000 characters', async () => {
    const tools = await listing('per-connector');
    const size = JSON.stringify({ tools }).length;
    console.log(`tools/list size (per-connector, amocrm + 1crm): ${size} characters`);
    console.log(`tools/list size (shared): ${JSON.stringify({ tools: await listing('shared') }).length} characters`);
    expect(size).toBeLessThanOrEqual(10_000);
  });
});
