// argv building for every CLI command: values travel as one `--flag=value` element, hostile values never
// change the argv shape, and invalid identifiers/values are refused before anything is spawned.
import { describe, expect, it } from 'vitest';
import {
  MAX_ARG_CHARS,
  actionCreateArgs,
  actionGetArgs,
  actionListArgs,
  actionRunArgs,
  connectionListArgs,
  requestArgs,
} from '../../src/membrane/cli/cli-argv.js';
import { ToolError } from '../../src/errors.js';
import type { ProxyRequest } from '../../src/membrane/membrane-client.js';

const HOSTILE: Record<string, string> = {
  'a help flag': '--help',
  'a short flag with a value': '-X DELETE',
  'a lone dash': '-',
  'a double dash': '--',
  quotes: `he said "hi" and 'bye'`,
  spaces: '  leading and trailing  ',
  newlines: 'line one\nline two\r\nline three',
  'command substitution': '$(id)',
  backticks: '`id`',
  'a shell separator': '; rm -rf /',
  'a pipe and redirect': '| cat /etc/passwd > /tmp/x',
  Cyrillic: 'Создать сделку для ООО «Ромашка»',
  emoji: 'deal 🚀🔥 done ✅',
  'an equals sign': 'a=b=--json',
  'a flag after equals': '=--input={"x":1}',
};

/** Expects `fn` to throw a ToolError with `code`; returns it. */
function expectToolError(fn: () => unknown, code: string): ToolError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ToolError);
  expect((caught as ToolError).code).toBe(code);
  return caught as ToolError;
}

/** The flag names of an argv (what the CLI parser sees as options), in order. */
const flagNames = (args: string[]) => args.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]);

describe('connection list', () => {
  it('connection list always asks for JSON', () => {
    expect(connectionListArgs()).toEqual(['connection', 'list', '--json']);
  });

  it.each(['-h', '--help', '-X', 'has space', 'a/b', '', 'new\nline', '$(id)', 'a;b', 'x'.repeat(201)])(
    'a positional connection id %j is refused',
    (id) => {
      const err = expectToolError(() => requestArgs({ connectionId: id, path: '/x', method: 'GET' }), 'INVALID_INPUT');
      expect(err.details?.fields).toEqual([expect.objectContaining({ field: 'connectionId' })]);
    },
  );
});

describe('action list', () => {
  it('sends connection, intent and limit as --flag=value, then --json', () => {
    expect(actionListArgs({ connectionId: 'con_1', intent: 'create a lead', limit: 5 })).toEqual([
      'action',
      'list',
      '--connectionId=con_1',
      '--intent=create a lead',
      '--limit=5',
      '--json',
    ]);
  });

  it.each(Object.entries(HOSTILE))('keeps an intent with %s as one element of the same shape', (_, intent) => {
    const args = actionListArgs({ connectionId: 'con_1', intent, limit: 5 });
    expect(args).toHaveLength(6);
    expect(args[3]).toBe(`--intent=${intent}`);
    expect(flagNames(args)).toEqual(['--connectionId', '--intent', '--limit', '--json']);
  });

  it('refuses a connection id that starts with a dash', () => {
    expectToolError(() => actionListArgs({ connectionId: '--help', intent: 'x', limit: 5 }), 'INVALID_INPUT');
  });
});

describe('action get', () => {
  it('without --wait it sends no timeout', () => {
    expect(actionGetArgs({ id: 'act_1', timeoutSeconds: 30 })).toEqual(['action', 'get', 'act_1', '--json']);
  });

  it('adds the connection as --connectionId=…', () => {
    expect(actionGetArgs({ id: 'act_1', connectionId: 'con_1' })).toEqual(['action', 'get', 'act_1', '--connectionId=con_1', '--json']);
  });

  it('with --wait sends the timeout as --timeout=<seconds>', () => {
    expect(actionGetArgs({ id: 'act_1', wait: true, timeoutSeconds: 25 })).toEqual([
      'action',
      'get',
      'act_1',
      '--wait',
      '--timeout=25',
      '--json',
    ]);
    expect(actionGetArgs({ id: 'act_1', wait: true })).toEqual(['action', 'get', 'act_1', '--wait', '--json']);
  });

  it.each([
    [0, '1'],
    [-5, '1'],
    [0.2, '1'],
    [1, '1'],
    [29.6, '30'],
    [60, '60'],
    [61, '60'],
    [3600, '60'],
  ])('clamps a wait timeout of %s s to %s (the API allows 1–60)', (timeoutSeconds, sent) => {
    const args = actionGetArgs({ id: 'act_1', wait: true, timeoutSeconds });
    expect(args).toContain(`--timeout=${sent}`);
  });

  it('refuses an action id with a leading dash or a space', () => {
    expectToolError(() => actionGetArgs({ id: '-X' }), 'INVALID_INPUT');
    expectToolError(() => actionGetArgs({ id: 'act 1' }), 'INVALID_INPUT');
    expectToolError(() => actionGetArgs({ id: 'act_1', connectionId: '--json' }), 'INVALID_INPUT');
  });
});

describe('action create', () => {
  it('puts the free-text description after `--`, all flags before it', () => {
    expect(actionCreateArgs({ description: 'list the tasks of a lead', connectionId: 'con_1', name: 'Lead tasks' })).toEqual([
      'action',
      'create',
      '--connectionId=con_1',
      '--name=Lead tasks',
      '--json',
      '--',
      'list the tasks of a lead',
    ]);
  });

  it.each(Object.entries(HOSTILE))('keeps a description with %s as the single element after `--`', (_, description) => {
    const args = actionCreateArgs({ description, connectionId: 'con_1', name: description });
    expect(args).toHaveLength(7);
    expect(args.indexOf('--')).toBe(5);
    expect(args[6]).toBe(description);
    expect(args[3]).toBe(`--name=${description}`);
    expect(flagNames(args.slice(0, 5))).toEqual(['--connectionId', '--name', '--json']);
  });

  it('omits --name when no name is given', () => {
    expect(actionCreateArgs({ description: 'x', connectionId: 'con_1' })).toEqual([
      'action',
      'create',
      '--connectionId=con_1',
      '--json',
      '--',
      'x',
    ]);
  });

  it('refuses a NUL byte in the description or the name', () => {
    expectToolError(() => actionCreateArgs({ description: 'a\u0000b', connectionId: 'con_1' }), 'INVALID_INPUT');
    expectToolError(() => actionCreateArgs({ description: 'ok', name: 'a\u0000', connectionId: 'con_1' }), 'INVALID_INPUT');
  });
});

describe('action run', () => {
  it('sends the input as one --input=<json> element', () => {
    const input = { name: 'ACME', note: '--help\n-X DELETE; rm -rf / $(id)', city: 'Москва 🚀' };
    const args = actionRunArgs({ actionId: 'create-lead', connectionId: 'con_1', input });
    expect(args).toEqual(['action', 'run', 'create-lead', '--connectionId=con_1', `--input=${JSON.stringify(input)}`, '--json']);
    expect(JSON.parse(args[4].slice('--input='.length))).toEqual(input);
  });

  it('omits --input when there is no input', () => {
    expect(actionRunArgs({ actionId: 'act_1', connectionId: 'con_1' })).toEqual([
      'action',
      'run',
      'act_1',
      '--connectionId=con_1',
      '--json',
    ]);
  });

  it('a NUL inside input values is JSON-escaped, never a raw NUL in argv', () => {
    const args = actionRunArgs({ actionId: 'act_1', connectionId: 'con_1', input: { x: 'a\u0000b' } });
    expect(args.some((a) => a.includes('\u0000'))).toBe(false);
    expect(args[4]).toBe('--input={"x":"a\\u0000b"}');
  });

  it('refuses an input whose JSON exceeds the argument limit', () => {
    const err = expectToolError(
      () => actionRunArgs({ actionId: 'act_1', connectionId: 'con_1', input: { note: 'x'.repeat(MAX_ARG_CHARS) } }),
      'INVALID_INPUT',
    );
    expect(err.details?.fields).toEqual([expect.objectContaining({ field: 'input' })]);
  });

  it('accepts a 100 kB input as one element', () => {
    const args = actionRunArgs({ actionId: 'act_1', connectionId: 'con_1', input: { note: 'y'.repeat(100_000) } });
    expect(args).toHaveLength(6);
    expect(args[4]).toHaveLength('--input='.length + JSON.stringify({ note: 'y'.repeat(100_000) }).length);
  });

  it('refuses an action id that starts with a dash', () => {
    expectToolError(() => actionRunArgs({ actionId: '--help', connectionId: 'con_1' }), 'INVALID_INPUT');
  });
});

describe('value limits', () => {
  it(`refuses a value longer than ${MAX_ARG_CHARS} characters`, () => {
    const err = expectToolError(
      () => actionListArgs({ connectionId: 'con_1', intent: 'x'.repeat(MAX_ARG_CHARS + 1), limit: 5 }),
      'INVALID_INPUT',
    );
    expect(err.message).toMatch(/intent/);
    expect(err.nextStep).toBeTruthy();
  });

  it('accepts a value of exactly the limit', () => {
    expect(actionListArgs({ connectionId: 'con_1', intent: 'x'.repeat(MAX_ARG_CHARS), limit: 5 })).toHaveLength(6);
  });

  it('counts UTF-8 bytes: 70,000 Cyrillic characters (140 kB) would not fit into one Linux argv element', () => {
    // Linux refuses a single argument over 128 KiB (E2BIG) however few characters it has.
    expectToolError(() => actionCreateArgs({ description: 'ж'.repeat(70_000), connectionId: 'con_1' }), 'INVALID_INPUT');
    expectToolError(() => actionCreateArgs({ description: '🚀'.repeat(40_000), connectionId: 'con_1' }), 'INVALID_INPUT');
    expect(actionCreateArgs({ description: 'ж'.repeat(50_000), connectionId: 'con_1' })).toHaveLength(6);
  });

  it('refuses NUL in any flag value', () => {
    const err = expectToolError(() => actionListArgs({ connectionId: 'con_1', intent: 'a\u0000b', limit: 5 }), 'INVALID_INPUT');
    expect(err.details?.fields).toEqual([expect.objectContaining({ field: 'intent', problem: 'NUL character' })]);
  });
});

describe('request', () => {
  const base: ProxyRequest = { connectionId: 'con_1', path: '/api/v4/leads', method: 'GET' };

  it('GET: connection and path positionals, --method=, and --json last', () => {
    expect(requestArgs(base)).toEqual(['request', 'con_1', '/api/v4/leads', '--method=GET', '--json']);
  });

  it('repeats --header= and --query= per entry (array values repeat the key)', () => {
    const args = requestArgs({
      ...base,
      headers: { Accept: 'application/json', 'X-Trace': 'abc' },
      query: { limit: '10', 'filter[id][]': ['1', '2'] },
    });
    expect(args).toEqual([
      'request',
      'con_1',
      '/api/v4/leads',
      '--method=GET',
      '--header=Accept: application/json',
      '--header=X-Trace: abc',
      '--query=limit=10',
      '--query=filter[id][]=1',
      '--query=filter[id][]=2',
      '--json',
    ]);
  });

  it('a body is sent as --data=<json> with Content-Type: application/json, and --json stays last', () => {
    const body = [{ name: 'Deal "A"', price: 100, note: '--json -X DELETE' }];
    const args = requestArgs({ ...base, method: 'POST', body });
    expect(args).toEqual([
      'request',
      'con_1',
      '/api/v4/leads',
      '--method=POST',
      '--header=Content-Type: application/json',
      `--data=${JSON.stringify(body)}`,
      '--json',
    ]);
    expect(args.at(-1)).toBe('--json');
    expect(args.filter((a) => a === '--json')).toHaveLength(1);
  });

  it('keeps a caller-supplied Content-Type (any case) instead of adding a second one', () => {
    const args = requestArgs({ ...base, method: 'POST', headers: { 'content-type': 'application/merge-patch+json' }, body: { a: 1 } });
    expect(args.filter((a) => a.toLowerCase().startsWith('--header=content-type'))).toEqual([
      '--header=content-type: application/merge-patch+json',
    ]);
  });

  it('sends no Content-Type when there is no body', () => {
    expect(requestArgs({ ...base, method: 'DELETE' }).some((a) => /content-type/i.test(a))).toBe(false);
  });

  it.each(Object.entries(HOSTILE))('hostile %s in query, header value and body: same argv shape', (_, v) => {
    const args = requestArgs({
      ...base,
      method: 'PATCH',
      headers: { 'X-Note': v.replace(/[\r\n]/g, ' ') },
      query: { q: v },
      body: { v },
    });
    expect(flagNames(args)).toEqual(['--method', '--header', '--header', '--query', '--data', '--json']);
    expect(args).toHaveLength(9);
    expect(args).toContain(`--query=q=${v}`);
    expect(args).toContain(`--data=${JSON.stringify({ v })}`);
  });

  it('a path that contains spaces, quotes or flags after the leading / stays one positional', () => {
    const path = '/api/v4/leads --help -X DELETE "q" $(id)';
    const args = requestArgs({ ...base, path });
    expect(args).toEqual(['request', 'con_1', path, '--method=GET', '--json']);
  });

  it('refuses a path that does not start with /', () => {
    for (const path of ['--help', '-X', 'api/v4/leads', 'https://evil.example/x', '']) {
      expectToolError(() => requestArgs({ ...base, path }), 'INVALID_INPUT');
    }
  });

  it('refuses a connection id that starts with - or contains a space', () => {
    expectToolError(() => requestArgs({ ...base, connectionId: '-X' }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, connectionId: 'con 1' }), 'INVALID_INPUT');
  });

  it('refuses CR or LF in a header value and invalid header names', () => {
    expectToolError(() => requestArgs({ ...base, headers: { 'X-A': 'ok\r\nX-Injected: 1' } }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, headers: { 'X-A': 'ok\nmore' } }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, headers: { 'X-A\r\nX-B': 'v' } }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, headers: { 'Bad Name': 'v' } }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, headers: { '': 'v' } }), 'INVALID_INPUT');
  });

  it('refuses NUL in a path, query, header or body', () => {
    expectToolError(() => requestArgs({ ...base, path: '/a\u0000b' }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, query: { q: 'a\u0000' } }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, headers: { 'X-A': 'a\u0000' } }), 'INVALID_INPUT');
    expectToolError(() => requestArgs({ ...base, method: 'POST', body: 'raw\u0000' }), 'INVALID_INPUT');
  });

  it('refuses a body over the argument limit', () => {
    expectToolError(() => requestArgs({ ...base, method: 'POST', body: { x: 'z'.repeat(MAX_ARG_CHARS) } }), 'INVALID_INPUT');
  });
});
