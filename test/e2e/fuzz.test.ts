// The fuzz suite: 1,200 generated `tools/call` requests (fast-check, fixed seed)
// across all ten tools and some names that are not tools, with random and hostile arguments: wrong types,
// missing and extra fields, huge strings, deep nesting, unicode, NUL, flags (`--help`), shell syntax
// (`$(id)`), path traversal, prototype keys (`__proto__`, `constructor`) as real JSON keys, numbers at the
// edges, arrays for objects. Sent over a raw pipe (RawSession) so every stdout line is checked.
//
// The server must never exit, answer every request, write nothing but JSON-RPC to stdout, and answer every
// failed call with an error result carrying a stable code and the `CODE: ` text. Two settings share the
// load: `--confirm writes` and `--read-only`, so generated writes are stopped before the sandbox (no records
// pile up); a modest share of the calls are valid and do reach the sandbox. Each setting's 300 requests go to
// both sandbox backends (a server each, side by side), and each request must get the same outcome from both.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { BACKENDS, callLogEnv, type LoggedCall, loggedCalls, type TestBackend } from '../helpers/backends.js';
import { type JsonRpcMessage, RawSession } from '../helpers/raw.js';
import { killLeftovers, procAvailable, waitForNoSandboxProcesses } from '../helpers/processes.js';
import { runSandbox, tempDb } from '../helpers/sandbox.js';

const SEED = 20_260_611;
const REQUESTS_PER_SERVER = 300;
const IN_FLIGHT = 8;

const PREFIXES = ['amocrm', 'onecrm'] as const;
const SUFFIXES = ['list_connections', 'search_actions', 'create_action', 'run_action', 'proxy_request'] as const;
const TOOLS = PREFIXES.flatMap((p) => SUFFIXES.map((s) => `${p}_${s}`));
const UNKNOWN_TOOLS = [
  'amocrm_run_actions',
  'AMOCRM_RUN_ACTION',
  'crm_run_action',
  'hubspot_list_connections',
  '',
  ' ',
  '../amocrm_run_action',
  'amocrm_run_action\u0000',
  '--help',
  '$(id)',
  'toString',
  'constructor',
  '__proto__',
  'hasOwnProperty',
];

// Seeded in the sandbox (deterministic seed data); looked up again in the test to be sure.
const CONNECTION_IDS = { amocrm: '3c2ff7afda97bae69c56550a', onecrm: 'ff4f31ab36b1fbe17bf41fcc' } as const;

/** An object whose keys are real own JSON keys, `__proto__` included (an object literal would set the prototype). */
function own(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

const HOSTILE_STRINGS = [
  '--help',
  '-h',
  '--json',
  '--input={"x":1}',
  '-X',
  'DELETE',
  '$(id)',
  '`id`',
  '; rm -rf / #',
  '| cat /etc/passwd',
  '&& curl evil.example',
  '../../../../etc/passwd',
  '..\\..\\windows\\system32',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '//evil.example.com/x',
  'https://evil.example.com/api/v4/leads',
  '/api/v4/../../admin',
  'a\u0000b',
  '\u0000',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '😀👍🏽',
  'Ｆｕｌｌｗｉｄｔｈ',
  'Zalgo: Z̸̡̢a̷l̶g̵o',
  '\r\nX-Injected: 1',
  '\t',
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '{id}',
  '{__proto__}',
  '%s%s%s%n',
  '${process.env.HOME}',
  "'; DROP TABLE leads; --",
  'Authorization: Bearer abc',
  'r_',
  'r_AAAAAA',
  'r_' + 'x'.repeat(41),
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
];
const EDGE_NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.5,
  1e-300,
  1e308,
  -1e308,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  20,
  21,
  55,
  56,
  200,
  201,
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

const hostileString = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom(2001, 5000, 70_000, 400_000).map((n) => 'A'.repeat(n)) },
);

/** A value of any type, with hostile ones favoured. */
const hostile: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { weight: 6, arbitrary: hostileString },
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 2, arbitrary: fc.constantFrom(true, false, null) },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS, '--help', '$(id)', ''), fc.string({ maxLength: 10 })), tie('value')), {
          maxLength: 4,
        })
        .map(own),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(50, 500, 3000), fc.boolean()).map(([d, arr]) => nested(d, '$(id)', arr)) },
  ),
})).value;

/** Plausible (mostly schema-valid) values per argument: deeper code paths get exercised, not just the parser. */
function plausible(prefix: 'amocrm' | 'onecrm'): Record<string, fc.Arbitrary<unknown>> {
  const actions =
    prefix === 'amocrm'
      ? ['list-leads', 'get-lead', 'create-lead', 'delete-lead', 'list-contacts', 'search-contacts', 'update-lead', 'no-such-action']
      : ['list-accounts', 'get-account', 'create-note', 'delete-account', 'list-contacts', 'create-account', 'no-such-action'];
  const paths =
    prefix === 'amocrm'
      ? [
          '/api/v4/leads',
          '/api/v4/leads/{id}',
          '/api/v4/contacts',
          '/api/v4/nope',
          '/api/v4/leads/../../x',
          'api/v4/leads',
          'https://evil.example.com/api/v4/leads',
          '/api/v4/leads?limit=1',
        ]
      : [
          '/data/Account',
          '/data/Account/{id}',
          '/data/Contact',
          '/data/NoSuchModel',
          '/data/../admin',
          'data/Account',
          '//evil.example.com/data',
          '/data/Account?x=1',
        ];
  return {
    refresh: fc.constantFrom(false, false, false, true),
    intent: fc.oneof(
      fc.constantFrom('list leads', 'create a contact', 'delete everything', 'найти сделки', '$(id)'),
      fc.string({ minLength: 1, maxLength: 30 }),
    ),
    limit: fc.integer({ min: 1, max: 20 }),
    includeSchemas: fc.boolean(),
    connectionId: fc.constantFrom(
      CONNECTION_IDS[prefix],
      CONNECTION_IDS[prefix === 'amocrm' ? 'onecrm' : 'amocrm'],
      'ffffffffffffffffffffffff',
      'conn.1@x:y-z',
    ),
    description: fc.constantFrom('list all campaigns', 'dance with the moon at midnight', 'x'.repeat(3), 'get the weather'),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    waitSeconds: fc.constant(1),
    actionId: fc.constantFrom(...actions),
    input: fc.oneof(
      fc.constant({}),
      fc.record({ limit: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ name: fc.string({ maxLength: 20 }) }),
      fc.record({ id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 })) }),
    ),
    confirm: fc.oneof(
      fc.string({ minLength: 8, maxLength: 32, unit: fc.constantFrom(...'0123456789abcdef') }),
      fc.constant('c_0000000000'),
    ),
    allowRepeat: fc.boolean(),
    resultId: fc.constantFrom('r_abcdef', 'r_0123456789', 'r_zzzzzzzzzzzzzzzz'),
    offset: fc.integer({ min: 0, max: 100_000 }),
    method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'),
    path: fc.constantFrom(...paths),
    query: fc.oneof(
      fc.constant({ limit: 1 }),
      fc.constant({ 'filter[id][]': ['1', '2'] }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
    ),
    headers: fc.oneof(
      fc.constant({ Accept: 'application/json' }),
      fc.constant({ Authorization: 'Bearer x' }),
      fc.constant({ 'X-HTTP-Method-Override': 'DELETE' }),
    ),
    body: fc.oneof(fc.constant({ name: 'Fuzz' }), fc.constant([{ name: 'Fuzz' }]), fc.constant('text')),
    pathParams: fc.oneof(fc.constant({ id: 1 }), fc.constant({ id: '../x' }), fc.constant({ id: { nested: true } })),
    shape: fc.constantFrom('compact', 'raw'),
  };
}

const FIELDS: Record<(typeof SUFFIXES)[number], string[]> = {
  list_connections: ['refresh'],
  search_actions: ['intent', 'limit', 'connectionId', 'includeSchemas'],
  create_action: ['description', 'actionId', 'name', 'waitSeconds', 'connectionId'],
  run_action: ['actionId', 'input', 'connectionId', 'confirm', 'allowRepeat', 'resultId', 'offset'],
  proxy_request: [
    'method',
    'path',
    'query',
    'headers',
    'body',
    'pathParams',
    'shape',
    'connectionId',
    'confirm',
    'allowRepeat',
    'resultId',
    'offset',
  ],
};

/**
 * Arguments for one tool. `hostile`: each known field absent, plausible or hostile, sometimes extra keys.
 * `plausible`: only plausible values (still wrong at times: unknown actions, bad paths, wrong connection),
 * so calls get past argument parsing to the policy, the write gate and the CLI.
 */
function argsFor(
  prefix: 'amocrm' | 'onecrm',
  suffix: (typeof SUFFIXES)[number],
  mode: 'hostile' | 'plausible',
): fc.Arbitrary<Record<string, unknown>> {
  const good = plausible(prefix);
  const field = (name: string) =>
    mode === 'plausible'
      ? fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: good[name] })
      : fc.oneof(
          // A resultId answers from the result store (NOT_FOUND here, which also drops the cached
          // connection list and so costs CLI runs later): present now and then, not half the time.
          { weight: name === 'resultId' ? 16 : 4, arbitrary: fc.constant(undefined) },
          { weight: 4, arbitrary: good[name] ?? hostile },
          { weight: 2, arbitrary: hostile },
        );
  // Paging fields and confirm tokens short-circuit most calls: rarer among plausible ones.
  const fields =
    mode === 'plausible' ? FIELDS[suffix].filter((f) => !['resultId', 'offset', 'confirm', 'connectionId'].includes(f)) : FIELDS[suffix];
  const known = fc.tuple(...fields.map((name) => field(name).map((v) => [name, v] as const)));
  const extra =
    mode === 'plausible'
      ? fc.constant([] as [string, unknown][])
      : fc.oneof(
          { weight: 8, arbitrary: fc.constant([] as [string, unknown][]) },
          {
            weight: 2,
            arbitrary: fc.array(
              fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS, '--help', 'connector', 'input '), fc.string({ maxLength: 12 })), hostile),
              { minLength: 1, maxLength: 3 },
            ),
          },
        );
  return fc
    .tuple(known, extra)
    .map(([k, e]) => own([...k.filter(([, v]) => v !== undefined).map(([n, v]) => [n, v] as [string, unknown]), ...e]));
}

type Generated =
  | { kind: 'tool'; name: string; args: Record<string, unknown> }
  | { kind: 'unknown'; name: string; args: Record<string, unknown> }
  | { kind: 'malformed'; params: Record<string, unknown> };

const toolCall = (mode: 'hostile' | 'plausible'): fc.Arbitrary<Generated> =>
  fc
    .tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...SUFFIXES))
    .chain(([p, s]) => argsFor(p, s, mode).map((args) => ({ kind: 'tool' as const, name: `${p}_${s}`, args })));

const unknownCall: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...UNKNOWN_TOOLS),
      fc.string({ maxLength: 20 }).filter((n) => !TOOLS.includes(n)),
    ),
    fc.constant({}),
  )
  .map(([name, args]) => ({ kind: 'unknown' as const, name, args }));

/** Params the MCP schema refuses before any tool runs (arguments not an object, name not a string…). */
const malformedCall: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.constantFrom(...TOOLS),
    fc.constantFrom<unknown>([1, 2], 'arguments', 42, null, true, [{ actionId: 'list-leads' }]),
    fc.constantFrom('bad-arguments', 'name-number', 'name-missing'),
  )
  .map(([name, args, how]) => ({
    kind: 'malformed' as const,
    params: how === 'bad-arguments' ? { name, arguments: args } : how === 'name-number' ? { name: 7, arguments: {} } : { arguments: {} },
  }));

/** Well-formed writes: the write gate must stop each one (confirmation token, or read-only) before the CLI. */
const writeCall: fc.Arbitrary<Generated> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        ['amocrm', 'create-lead', { name: 'Fuzz lead' }],
        ['amocrm', 'create-contact', { name: 'Fuzz contact' }],
        ['onecrm', 'create-note', { name: 'Fuzz note' }],
        ['onecrm', 'create-account', { name: 'Fuzz account' }],
        ['onecrm', 'delete-account', { id: 'x' }],
      ),
      fc.string({ maxLength: 8 }),
    )
    .map(([[p, actionId, input], salt]) => ({
      kind: 'tool' as const,
      name: `${p}_run_action`,
      args: { actionId, input: 'name' in input ? { name: `${input.name} ${salt}` } : input },
    })),
  fc
    .tuple(
      fc.constantFrom(
        ['amocrm', '/api/v4/leads'],
        ['amocrm', '/api/v4/leads/{id}'],
        ['onecrm', '/data/Account'],
        ['onecrm', '/data/Account/{id}'],
      ),
      fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
    )
    .map(([[p, path], method]) => ({
      kind: 'tool' as const,
      name: `${p}_proxy_request`,
      args: {
        method,
        path,
        ...(path.includes('{id}') ? { pathParams: { id: 1 } } : {}),
        ...(method === 'DELETE' ? {} : { body: { name: 'Fuzz' } }),
      },
    })),
);

/** Well-formed reads that run in the sandbox and succeed: proxied GETs and read actions. */
const readCall: fc.Arbitrary<Generated> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        ['amocrm', '/api/v4/leads'],
        ['amocrm', '/api/v4/contacts'],
        ['onecrm', '/data/Account'],
        ['onecrm', '/data/Contact'],
      ),
      fc.integer({ min: 1, max: 5 }),
    )
    .map(([[p, path], limit]) => ({ kind: 'tool' as const, name: `${p}_proxy_request`, args: { path, query: { limit } } })),
  fc
    .tuple(
      fc.constantFrom(['amocrm', 'list-leads'], ['amocrm', 'list-contacts'], ['onecrm', 'list-accounts'], ['onecrm', 'list-contacts']),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([[p, actionId], limit]) => ({ kind: 'tool' as const, name: `${p}_run_action`, args: { actionId, input: { limit } } })),
);

const request: fc.Arbitrary<Generated> = fc.oneof(
  { weight: 81, arbitrary: toolCall('hostile') },
  { weight: 5, arbitrary: toolCall('plausible') },
  { weight: 3, arbitrary: readCall },
  { weight: 3, arbitrary: writeCall },
  { weight: 5, arbitrary: unknownCall },
  { weight: 3, arbitrary: malformedCall },
);

const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));

interface Tally {
  requests: number;
  toolResults: number;
  successes: number;
  codes: Map<string, number>;
  notFound: number;
  rpcErrors: number;
  problems: string[];
}

/** Checks one answer; anything wrong goes to `problems` (asserted empty at the end, all at once). Returns its outcome. */
function check(backend: TestBackend, g: Generated, m: JsonRpcMessage, t: Tally): string {
  const outcome = m.error
    ? `rpc ${m.error.code}`
    : ((m.result as { structuredContent?: { error?: { code?: string } } })?.structuredContent?.error?.code ?? 'ok');
  const where = () =>
    `${g.kind === 'malformed' ? JSON.stringify(g.params).slice(0, 200) : `${g.name} ${JSON.stringify(g.args).slice(0, 200)}`}`;
  if (g.kind === 'malformed') {
    // The SDK refuses these params with a JSON-RPC error (a numeric code), or treats them as a failed call.
    if (m.error) {
      t.rpcErrors++;
      if (typeof m.error.code !== 'number' || typeof m.error.message !== 'string')
        t.problems.push(`JSON-RPC error without code: ${where()}`);
    } else if (!(m.result as { isError?: boolean } | undefined)?.isError) {
      t.problems.push(`malformed params were accepted: ${where()}`);
    }
    return outcome;
  }
  if (m.error) {
    t.problems.push(`JSON-RPC error ${m.error.code} ${m.error.message.slice(0, 200)} for ${where()}`);
    return outcome;
  }
  const result = m.result as {
    isError?: boolean;
    content?: { type: string; text: string }[];
    structuredContent?: { backend?: string; error?: { code?: string } };
  };
  t.toolResults++;
  const text = result.content?.[0]?.text ?? '';
  if (g.kind === 'unknown') {
    // Our own coded answer (also for names of Object.prototype members such as `toString`): NOT_FOUND
    // naming the tools that exist; no handler runs.
    if (
      result.isError !== true ||
      result.structuredContent?.error?.code !== 'NOT_FOUND' ||
      !/^NOT_FOUND: No tool named ".*" on this server\. Next: Call one of: /s.test(text)
    )
      t.problems.push(`unknown tool answered ${JSON.stringify(result).slice(0, 300)} for ${where()}`);
    else t.notFound++;
    return outcome;
  }
  if (result.isError) {
    const code = result.structuredContent?.error?.code;
    if (!code || !KNOWN_CODES.has(code)) t.problems.push(`error result without a stable code: ${text.slice(0, 200)} for ${where()}`);
    else if (!text.startsWith(`${code}: `)) t.problems.push(`text does not start with "${code}: ": ${text.slice(0, 200)}`);
    else if (/\n\s+at .+:\d+:\d+/.test(text)) t.problems.push(`stack trace in ${code}: ${text.slice(0, 300)}`);
    if (code) t.codes.set(code, (t.codes.get(code) ?? 0) + 1);
  } else {
    t.successes++;
    if (result.structuredContent?.backend !== backend.name) t.problems.push(`success without structuredContent.backend: ${where()}`);
  }
  return outcome;
}

function byOperation(calls: LoggedCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.operation] = (out[c.operation] ?? 0) + 1;
  return out;
}

const dbs: ReturnType<typeof tempDb>[] = [];
const sessions: RawSession[] = [];
afterAll(async () => {
  for (const s of sessions) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  for (const d of dbs) {
    killLeftovers(d.path); // only matters when a test failed
    d.cleanup();
  }
});

interface FuzzRun {
  tally: Tally;
  /** What each generated request got, in the order generated. */
  outcomes: string[];
  calls: LoggedCall[];
  session: RawSession;
  db: string;
  countsBefore: unknown;
  countsAfter: unknown;
}

async function fuzzServer(backend: TestBackend, flags: string[], generated: Generated[]): Promise<FuzzRun> {
  const t = tempDb('fuzz-');
  dbs.push(t);
  const callLog = join(t.dir, 'calls.log');
  const session = RawSession.start({ db: t.path, backend, args: flags, env: callLogEnv(backend, callLog) });
  sessions.push(session);
  await session.initialize();

  // The seeded connection ids the generators use are the real ones.
  for (const p of PREFIXES) {
    const listed = await session.callTool(`${p}_list_connections`, {});
    const ids = (listed.result?.structuredContent as { connections: { id: string }[] }).connections.map((c) => c.id);
    expect(ids).toEqual([CONNECTION_IDS[p]]);
  }

  const before = await recordCounts(t.path);
  const tally: Tally = { requests: 0, toolResults: 0, successes: 0, codes: new Map(), notFound: 0, rpcErrors: 0, problems: [] };
  const outcomes: string[] = [];
  let next = 0;
  // Read-only servers do not offer create_action (building an action writes to the workspace): calls to it are unknown tools there.
  const readOnly = flags.includes('--read-only');
  const worker = async () => {
    while (next < generated.length) {
      const i = next++;
      const drawn = generated[i];
      const g: Generated =
        readOnly && drawn.kind === 'tool' && drawn.name.endsWith('_create_action') ? { ...drawn, kind: 'unknown' } : drawn;
      tally.requests++;
      const answer =
        g.kind === 'malformed' ? await session.request('tools/call', g.params, 60_000) : await session.callTool(g.name, g.args, 60_000);
      outcomes[i] = check(backend, g, answer, tally);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return {
    tally,
    outcomes,
    calls: loggedCalls(backend, callLog),
    session,
    db: t.path,
    countsBefore: before,
    countsAfter: await recordCounts(t.path),
  };
}

/** The sandbox's record counts per connector and model (`sandbox info`). */
async function recordCounts(db: string): Promise<unknown> {
  const info = await runSandbox(['sandbox', 'info', '--json'], { db });
  expect(info.exitCode).toBe(0);
  return (info.json as { counts: unknown }).counts;
}

/** Checks one backend's run of one setting. */
async function expectSound(backend: TestBackend, label: string, flags: readonly string[], run: FuzzRun, started: number): Promise<void> {
  const { tally, calls, session, db, countsBefore, countsAfter } = run;
  const codes = Object.fromEntries([...tally.codes].sort((a, b) => b[1] - a[1]));
  console.error(
    `[fuzz ${label} on ${backend.name}] ${tally.requests} requests in ${Date.now() - started} ms: ${tally.successes} ok, ${tally.notFound} unknown-tool, ` +
      `${tally.rpcErrors} JSON-RPC errors, ${calls.length} sandbox calls ${JSON.stringify(byOperation(calls))}; codes ${JSON.stringify(codes)}`,
  );

  expect(tally.problems.slice(0, 10)).toEqual([]);
  expect(tally.requests).toBe(REQUESTS_PER_SERVER);
  // Every kind of answer really happened (the generators are not degenerate).
  expect(tally.successes).toBeGreaterThan(10);
  expect(tally.notFound).toBeGreaterThan(3);
  expect(tally.rpcErrors).toBeGreaterThan(2);
  expect(tally.codes.get('INVALID_INPUT')).toBeGreaterThan(50);
  // A bug in a handler would show as INTERNAL_ERROR: none may occur.
  expect(tally.codes.get('INTERNAL_ERROR') ?? 0).toBe(0);
  // Stopped before the sandbox: writes need a token (--confirm writes) or are refused (--read-only).
  expect(tally.codes.get(flags[0] === '--read-only' ? 'POLICY_DENIED' : 'CONFIRMATION_REQUIRED')).toBeGreaterThan(0);

  // Some calls reached the sandbox, all of them operations the server sends (no flag or shell word became a command).
  expect(calls.length).toBeGreaterThan(5);
  for (const c of calls) expect(c.operation, JSON.stringify(c.raw).slice(0, 200)).not.toBe('other');
  if (backend.name === 'sandbox-cli') for (const c of calls) expect(c.raw.includes('--help') || c.raw.includes('-h')).toBe(false);
  // No generated write ran: no proxied change, and not a single record more or less in the sandbox.
  expect(calls.filter((c) => c.operation === 'request' && !['GET', 'HEAD'].includes(c.method ?? ''))).toEqual([]);
  expect(countsAfter).toEqual(countsBefore);

  // Still alive, still answering, and nothing but JSON-RPC was written.
  expect(session.child.exitCode).toBeNull();
  const listed = await session.request('tools/list');
  expect((listed.result?.tools as unknown[]).length).toBe(flags[0] === '--read-only' ? 8 : 10);
  expect(session.badLines).toEqual([]);
  expect(session.lines.length).toBeGreaterThanOrEqual(REQUESTS_PER_SERVER);
  expect(await session.close()).toEqual({ code: 0, signal: null });
  if (procAvailable) expect(await waitForNoSandboxProcesses(db)).toEqual([]);
}

describe.concurrent('fuzz: generated tools/call requests', () => {
  for (const [label, flags, seed] of [
    ['--confirm writes', ['--confirm', 'writes'], SEED],
    ['--read-only', ['--read-only'], SEED + 1],
  ] as const) {
    it(`${REQUESTS_PER_SERVER} requests with ${label} on each sandbox backend: always answered, only JSON-RPC on stdout, coded errors, the same outcome on both`, async () => {
      const started = Date.now();
      const generated = fc.sample(request, { seed, numRuns: REQUESTS_PER_SERVER });
      const runs = await Promise.all(BACKENDS.map((b) => fuzzServer(b, [...flags], generated)));
      for (const [i, b] of BACKENDS.entries()) await expectSound(b, label, flags, runs[i], started);
      // The same request, the same outcome (the code, or ok), whichever backend answered it.
      const [first, ...others] = runs;
      for (const other of others) {
        const differ = first.outcomes.flatMap((o, i) => (o === other.outcomes[i] ? [] : [`#${i}: ${o} vs ${other.outcomes[i]}`]));
        expect(differ.slice(0, 10)).toEqual([]);
      }
    }, 120_000);
  }
});
