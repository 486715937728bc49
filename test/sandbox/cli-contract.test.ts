// Contract tests of the built `membrane-sandbox` binary: auth, search, connect, connections,
// usage errors and argument parsing. Each describe block owns one temp database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSandbox, tempDb, seededConnectionIds, type Json } from '../helpers/sandbox.js';

const HEX24 = /^[0-9a-f]{24}$/;

function sandbox(db: string) {
  return (args: string[], env?: Record<string, string>) => runSandbox(args, { db, env });
}

describe('auth: login, login complete, status, logout', () => {
  const db = tempDb();
  const run = sandbox(db.path);
  afterAll(() => db.cleanup());

  it('status on a fresh store: seeded and logged in', async () => {
    const r = await run(['status', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({ loggedIn: true, backend: 'sandbox', db: db.path, workspaceKey: 'sandbox-workspace' });
    expect((r.json as Json).user).toMatchObject({ name: 'Sandbox User', email: expect.any(String), id: expect.stringMatching(HEX24) });
    const human = await run(['status']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('Logged in as Sandbox User');
    expect(() => JSON.parse(human.stdout)).toThrow();
  });

  it('login prints a URL and a code; login complete accepts exactly that code', async () => {
    const start = await run(['login', '--tenant', '--clientName', 'claude', '--json']);
    expect(start.exitCode).toBe(0);
    const { status, url, code, message } = start.json as Json;
    expect(status).toBe('pending');
    expect(url).toContain(encodeURIComponent(code));
    expect(url).toContain('clientName=claude');
    expect(message).toContain(code);

    const wrong = await run(['login', 'complete', 'NOPE-NOPE', '--json']);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.json).toMatchObject({ type: 'bad_request', key: 'invalid_code' });
    expect(wrong.stderr).toMatch(/^Error: Invalid or expired login code/);

    const done = await run(['login', 'complete', code, '--json']);
    expect(done.exitCode).toBe(0);
    expect(done.json).toMatchObject({ status: 'logged-in', workspaceKey: 'sandbox-workspace', tenantKey: 'sandbox-tenant' });
    expect((done.json as Json).user).toMatchObject({ id: expect.stringMatching(HEX24), name: 'Sandbox User' });

    const again = await run(['login', 'complete', code, '--json']);
    expect(again.exitCode).toBe(1); // a code works once
  });

  it('human login prints the URL; --apiUri is remembered by status', async () => {
    const r = await run(['login', '--non-interactive', '--apiUri=http://localhost:9999']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/https:\/\/sandbox\.membrane\.local\/login\?code=/);
    expect(r.stdout).toContain('login complete');
    const s = await run(['status', '--json']);
    expect((s.json as Json).apiUri).toBe('http://localhost:9999');
  });

  it('logout makes tenant commands fail with not_authenticated; status still exits 0', async () => {
    const out = await run(['logout', '--json']);
    expect(out.json).toEqual({ status: 'logged-out' });

    const [list, human, status] = await Promise.all([
      run(['connection', 'list', '--json']),
      run(['search', 'amocrm']),
      run(['status', '--json']),
    ]);
    expect(list.exitCode).toBe(1);
    expect(list.json).toEqual({
      type: 'bad_request',
      key: 'not_authenticated',
      message: 'Not logged in. Run `membrane login --tenant`',
    });
    expect(list.stderr.trim().split('\n')).toHaveLength(1);
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain('Not logged in');
    expect(status.exitCode).toBe(0);
    expect(status.json).toMatchObject({ loggedIn: false, backend: 'sandbox' });
    expect(status.json).not.toHaveProperty('user');

    const humanLogout = await run(['logout']);
    expect(humanLogout.exitCode).toBe(0);
    expect(humanLogout.stdout.trim()).toBe('Logged out');

    const login = await run(['login', '--json']);
    const done = await run(['login', 'complete', (login.json as Json).code]);
    expect(done.exitCode).toBe(0);
    expect(done.stdout).toContain('Logged in as');
    expect((await run(['connection', 'list', '--json'])).exitCode).toBe(0);
  });
});

describe('search and connect', () => {
  const db = tempDb();
  const run = sandbox(db.path);
  let amoId = '';
  let oneId = '';
  afterAll(() => db.cleanup());
  beforeAll(async () => {
    ({ amocrm: amoId, onecrm: oneId } = await seededConnectionIds(db.path));
  });

  it('search finds the emulated connectors first, elementType case-insensitive, both flag spellings', async () => {
    const [amo, one, spaced, other, none, human] = await Promise.all([
      run(['search', 'amocrm', '--elementType=connector', '--json']),
      run(['search', '--elementType', 'Connector', '1crm', '--json']),
      run(['search', 'amo', '--limit', '1', '--json']),
      run(['search', 'amocrm', '--elementType=action', '--json']),
      run(['search', 'no-such-app', '--json']),
      run(['search', 'crm']),
    ]);
    const first = (r: typeof amo) => ((r.json as Json).items as Json[])[0];
    expect(amo.exitCode).toBe(0);
    expect(first(amo)).toMatchObject({ elementType: 'connector', element: { key: 'amocrm', name: 'AmoCRM' } });
    expect(first(amo).element).toEqual({
      id: expect.stringMatching(HEX24),
      key: 'amocrm',
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'AmoCRM',
      logoUri: expect.stringMatching(/^https:\/\//),
      categories: expect.arrayContaining(['CRM']),
    });
    expect(first(one).element.key).toBe('1crm');
    expect((spaced.json as Json).items).toHaveLength(1);
    expect((other.json as Json).items).toEqual([]);
    expect((none.json as Json).items).toEqual([]);
    expect(human.stdout).toContain('amocrm');
    expect(human.stdout).toContain('(emulated)');
  });

  it('connect to an emulated connector returns the existing connection, reconnected', async () => {
    const r = await run(['connect', '--connectorKey=amocrm', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({ id: amoId, state: 'READY', connected: true, disconnected: false, connectorKey: 'amocrm' });
    const search = await run(['search', '1crm', '--json']);
    const connectorId = ((search.json as Json).items as Json[])[0].element.id as string;
    const byId = await run(['connect', '--connectorId', connectorId, '--json']);
    expect(byId.json).toMatchObject({ id: oneId, connectorId, state: 'READY' });
  });

  it('connect --allowMultipleConnections makes a second READY connection; --non-interactive waits for the user', async () => {
    const second = await run(['connect', '--connectorKey', 'amocrm', '--allowMultipleConnections', '--name=Second', '--json']);
    expect(second.exitCode).toBe(0);
    const c = second.json as Json;
    expect(c.id).toMatch(HEX24);
    expect(c.id).not.toBe(amoId);
    expect(c).toMatchObject({ name: 'Second', state: 'READY', connected: true, integrationKey: 'amocrm' });
    expect(c.integration).toMatchObject({ key: 'amocrm', name: 'AmoCRM', id: expect.stringMatching(HEX24) });
    for (const field of ['userId', 'tenantId', 'connectorId', 'integrationId', 'createdAt', 'updatedAt']) expect(c).toHaveProperty(field);

    const pending = await run(['connect', '--connectorKey=1crm', '--allowMultipleConnections', '--non-interactive', '--json']);
    const p = pending.json as Json;
    expect(pending.exitCode).toBe(0);
    expect(p).toMatchObject({ state: 'CLIENT_ACTION_REQUIRED', connected: false });
    expect(p.clientAction).toMatchObject({ type: 'connect', uiUrl: expect.stringContaining(p.id) });
    expect(p.clientAction.description).toEqual(expect.any(String));

    const finished = await run(['connect', `--connectionId=${p.id}`, '--json']);
    expect(finished.json).toMatchObject({ id: p.id, state: 'READY', connected: true });
    expect(finished.json).not.toHaveProperty('clientAction');
  });

  it('connect --intent names the connector in words; --connectionKey reconnects by key', async () => {
    const [intent, none, byKey] = await Promise.all([
      run(['connect', '--intent=Connect my AmoCRM account', '--json']),
      run(['connect', '--intent', 'connect my fax machine', '--json']),
      run(['connect', '--connectionKey=1crm', '--json']),
    ]);
    expect(intent.json).toMatchObject({ id: amoId, connectorKey: 'amocrm', state: 'READY' });
    expect(none.exitCode).toBe(1);
    expect(none.json).toMatchObject({ key: 'not_found' });
    expect(byKey.json).toMatchObject({ id: oneId, state: 'READY' });
  });

  it('connect to a catalog connector that is not emulated never becomes READY', async () => {
    const r = await run(['connect', '--connectorKey=hubspot', '--json']);
    expect(r.exitCode).toBe(0);
    const c = r.json as Json;
    expect(c).toMatchObject({ connectorKey: 'hubspot', state: 'CLIENT_ACTION_REQUIRED', connected: false });
    expect(c.clientAction.description).toMatch(/not emulated/);
    const again = await run(['connect', '--connectionId', c.id, '--json']);
    expect((again.json as Json).state).toBe('CLIENT_ACTION_REQUIRED');
    const human = await run(['connect', '--connectorKey=hubspot']);
    expect(human.stdout).toContain('CLIENT_ACTION_REQUIRED');
  });

  it('connect errors: unknown connector (1), unknown connection (1), nothing to connect (2)', async () => {
    const [unknown, noConn, nothing] = await Promise.all([
      run(['connect', '--connectorKey=nope', '--json']),
      run(['connect', '--connectionId=ffffffffffffffffffffffff', '--json']),
      run(['connect', '--json']),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toMatchObject({ type: 'bad_request', key: 'not_found' });
    expect(noConn.exitCode).toBe(1);
    expect(noConn.json).toEqual({
      type: 'bad_request',
      key: 'not_found',
      message: "Connection with id 'ffffffffffffffffffffffff' not found",
    });
    expect(nothing.exitCode).toBe(2);
    expect(nothing.json).toMatchObject({ type: 'bad_request', key: 'usage' });
    expect(nothing.stderr).toMatch(/Usage: membrane-sandbox connect /);
  });
});

describe('connection list and get', () => {
  const db = tempDb();
  const run = sandbox(db.path);
  let ids: string[] = [];
  afterAll(() => db.cleanup());
  beforeAll(async () => {
    ids = (((await run(['connection', 'list', '--json'])).json as Json).items as Json[]).map((c) => c.id);
  });

  it('lists the seeded connections: one READY per emulated connector', async () => {
    const r = await run(['connection', 'list', '--json']);
    expect(r.exitCode).toBe(0);
    const items = (r.json as Json).items as Json[];
    expect(items.map((c) => [c.connectorKey, c.name, c.state])).toEqual([
      ['amocrm', 'AmoCRM (sandbox)', 'READY'],
      ['1crm', '1CRM (sandbox)', 'READY'],
    ]);
    expect(r.json).not.toHaveProperty('cursor');
    for (const c of items) expect(c.id).toMatch(HEX24);
    const human = await run(['connection', 'list']);
    expect(human.stdout).toContain('AmoCRM (sandbox)');
    expect(human.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('filters and pages: --integrationKey, --search, --limit/--cursor', async () => {
    const [byKey, bySearch, page1, noMatch, dashValue] = await Promise.all([
      run(['connection', 'list', '--integrationKey=1crm', '--json']),
      run(['connection', 'list', '--search', 'amo', '--json']),
      run(['connection', 'list', '--limit=1', '--json']),
      run(['connection', 'list', '--search=zzz', '--json']),
      // A value that looks like a flag is a value: nothing matches, exit 0.
      run(['connection', 'list', '--search', '--help', '--json']),
    ]);
    expect(((byKey.json as Json).items as Json[]).map((c) => c.connectorKey)).toEqual(['1crm']);
    expect(((bySearch.json as Json).items as Json[]).map((c) => c.connectorKey)).toEqual(['amocrm']);
    expect((page1.json as Json).items).toHaveLength(1);
    const cursor = (page1.json as Json).cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const page2 = await run(['connection', 'list', '--limit', '1', `--cursor=${cursor}`, '--json']);
    expect(((page2.json as Json).items as Json[])[0].id).toBe(ids[1]);
    expect(page2.json).not.toHaveProperty('cursor');
    expect((noMatch.json as Json).items).toEqual([]);
    expect(dashValue.exitCode).toBe(0);
    expect((dashValue.json as Json).items).toEqual([]);
  });

  it('get by id or key, with positionals anywhere and --wait/--timeout in both spellings', async () => {
    const [a, b, c, byKey] = await Promise.all([
      run(['connection', 'get', ids[0], '--json']),
      run(['--json', 'connection', '--wait', 'get', '--timeout', '5', ids[1]]),
      run(['connection', 'get', ids[0], '--wait', '--timeout=2']),
      run(['connection', 'get', '1crm', '--json']),
    ]);
    expect(byKey.json).toMatchObject({ id: ids[1], connectorKey: '1crm' });
    expect(a.json).toMatchObject({ id: ids[0], state: 'READY' });
    expect(b.exitCode).toBe(0);
    expect(b.json).toMatchObject({ id: ids[1], connectorKey: '1crm' });
    expect(c.exitCode).toBe(0);
    expect(c.stdout).toContain(ids[0]);
  });

  it('get errors: unknown id (exit 1, exact ErrorData), missing id and bad --timeout (exit 2)', async () => {
    const [unknown, human, missing, badTimeout] = await Promise.all([
      run(['connection', 'get', 'conn_123', '--json']),
      run(['connection', 'get', 'conn_123']),
      run(['connection', 'get', '--json']),
      run(['connection', 'get', ids[0], '--timeout=soon', '--json']),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.json).toEqual({ type: 'bad_request', key: 'not_found', message: "Connection with id 'conn_123' not found" });
    expect(unknown.stderr.trim()).toBe("Error: Connection with id 'conn_123' not found");
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toBe('');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Usage: membrane-sandbox connection get <id-or-key>');
    expect(badTimeout.exitCode).toBe(2);
  });
});

describe('usage errors and help', () => {
  const db = tempDb();
  const run = sandbox(db.path);
  afterAll(() => db.cleanup());

  const cases: [string, string[], RegExp][] = [
    ['no command', [], /No command given/],
    ['unknown command', ['frobnicate'], /Unknown command 'frobnicate'/],
    ['unknown subcommand', ['connection', 'delete', 'x'], /Unknown connection command 'delete'/],
    ['missing subcommand', ['action'], /Missing action command/],
    ['unknown flag', ['connection', 'list', '--bogus'], /Unknown option --bogus/],
    ['unknown short flag', ['status', '-Z'], /Unknown option -Z/],
    ['flag of another command', ['status', '--input={}'], /Unknown option --input/],
    ['string flag without value', ['connection', 'list', '--limit'], /--limit needs a value/],
    ['bad number', ['connection', 'list', '--limit=ten'], /--limit must be a whole number/],
    ['extra argument', ['status', 'extra'], /Unexpected argument 'extra'/],
    ['missing argument', ['login', 'complete'], /Missing argument/],
    ['value on a boolean flag', ['connection', 'get', 'x', '--wait=soon'], /does not take a value/],
    ['json body outside request', ['status', '--json', '{"a":1}'], /Unexpected argument/],
  ];

  it('every usage error exits 2 with a usage line on stderr and ErrorData key usage with --json', async () => {
    // --json goes first: a string flag takes the next token as its value, even `--json`.
    const results = await Promise.all(cases.map(([, args]) => run(['--json', ...args])));
    results.forEach((r, i) => {
      const [name, , message] = cases[i];
      expect(r.exitCode, name).toBe(2);
      expect(r.json, name).toMatchObject({ type: 'bad_request', key: 'usage', message: expect.stringMatching(message) });
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).toMatch(/^Usage: membrane-sandbox .+$/m);
    });
  });

  it('without --json a usage error prints nothing on stdout', async () => {
    const results = await Promise.all([cases[1], cases[4], cases[10]].map(([, args]) => run(args)));
    for (const r of results) {
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Error: .+\nUsage: membrane-sandbox .+$/);
    }
  });

  it('--help prints the synopsis on stdout and exits 0', async () => {
    const [all, one, json] = await Promise.all([run(['--help']), run(['action', 'run', '--help']), run(['help', '--json'])]);
    expect(all.exitCode).toBe(0);
    expect(all.stdout).toContain('membrane-sandbox request <connectionId> <path>');
    expect(one.stdout.trim()).toMatch(/^membrane-sandbox action run <id-or-key> --connectionId=<id>/);
    expect(((json.json as Json).usage as string[]).length).toBeGreaterThan(10);
  });

  it('an unexpected failure is ErrorData type internal, exit 1, no stack trace', async () => {
    // The store's directory cannot be created: its parent is a regular file.
    writeFileSync(join(db.dir, 'plain-file'), 'x');
    const r = await runSandbox(['status', '--json'], { db: join(db.dir, 'plain-file', 'sandbox.db') });
    expect(r.exitCode).toBe(1);
    expect(r.json).toMatchObject({ type: 'internal', message: expect.any(String) });
    expect(r.stdout).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
