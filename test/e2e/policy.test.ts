// Safety end to end, on both sandbox backends: read-only mode, allow/deny rules (flags and config file),
// confirmation tokens, elicitation, the shape of what reaches the sandbox (the CLI's argv, the API's routes),
// and secrets never leaving the process.
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, callLogEnv, type LoggedCall, loggedCalls } from '../helpers/backends.js';
import { serverPool, err, ok, serverEnv, text, type StartOptions } from '../helpers/mcp.js';
import { MAX_QUERY_CHARS } from '../../src/policy/proxy-rules.js';
import { waitFor } from '../helpers/processes.js';
import { runSandbox, SERVER_CLI } from '../helpers/sandbox.js';
import { answerDialogs, type DialogAnswer } from '../helpers/dialogs.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

// Settings the server refuses before it reaches any backend.
it('a config file with a bad key stops the server with a message naming the key', async () => {
  const dir = pool.dir('badconfig-');
  const file = join(dir.dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ denyActons: ['1crm:delete-*'], readOnly: 'yes please' }));
  const r = await execa(process.execPath, [SERVER_CLI, '--config', file], {
    reject: false,
    stdin: 'ignore',
    env: serverEnv(dir.path),
    timeout: 15_000,
  });
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/"denyActons" is not a known setting \(did you mean "denyActions"\?\)/);
});

// Each test starts its own server: they run side by side.
describe.concurrent.each(BACKENDS)('policy on $name', (backend) => {
  const server = (opts: StartOptions = {}) => pool.start({ backend, ...opts });

  describe('read-only mode', () => {
    it('runs reads, refuses writes and non-GET requests naming the setting, hides write actions, and says so in annotations', async () => {
      const s = await server({ env: { MEMBRANE_CRM_READ_ONLY: '1' } });
      const { tools } = await s.client.listTools();
      for (const t of tools.filter((t) => /_(run_action|proxy_request)$/.test(t.name))) {
        expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      }
      expect(s.client.getInstructions()).toMatch(/READ-ONLY/);

      const read = ok(await s.call('onecrm_run_action', { actionId: 'list-accounts', input: { limit: 2 } }));
      expect((read.output as { records: unknown[] }).records).toHaveLength(2);
      const write = err(await s.call('onecrm_run_action', { actionId: 'create-account', input: { name: 'Nope' } }));
      expect(write.code).toBe('POLICY_DENIED');
      expect(write.message).toMatch(/--read-only/);
      expect(err(await s.call('onecrm_proxy_request', { method: 'POST', path: '/data/Account', body: { data: { name: 'x' } } })).code).toBe(
        'POLICY_DENIED',
      );
      expect(ok(await s.call('onecrm_proxy_request', { method: 'GET', path: '/data/Account', query: { limit: 1 } })).status).toBe(200);

      const found = ok(await s.call('onecrm_search_actions', { intent: 'create an account', limit: 5 }));
      const kinds = (found.actions as { kind: string }[]).map((a) => a.kind);
      expect(kinds.length).toBeGreaterThan(0);
      expect(kinds.every((k) => k === 'read')).toBe(true);
      expect(found.hidden).toBeGreaterThan(0);
      // Building an action writes to the workspace: read-only does not offer create_action (the hostile suite checks the store).
      expect(tools.map((t) => t.name).some((n) => n.endsWith('_create_action'))).toBe(false);
    });
  });

  describe('allow and deny rules', () => {
    it('deny globs block and hide actions; deny-methods blocks proxy methods', async () => {
      const s = await server({ args: ['--deny-actions', '1crm:delete-*,1crm:*-invoice', '--deny-methods', 'DELETE,1crm:PUT'] });
      const del = err(await s.call('onecrm_run_action', { actionId: 'delete-contact', input: { id: 'x' } }));
      expect(del.code).toBe('POLICY_DENIED');
      expect(del.message).toMatch(/--deny-actions/);
      expect(err(await s.call('onecrm_run_action', { actionId: 'get-invoice', input: { id: 'x' } })).code).toBe('POLICY_DENIED');
      const found = ok(await s.call('onecrm_search_actions', { intent: 'delete an invoice', limit: 10 }));
      const keys = (found.actions as { key: string }[]).map((a) => a.key);
      expect(keys.some((k) => k.startsWith('delete-') || k.endsWith('-invoice'))).toBe(false);
      expect(err(await s.call('onecrm_proxy_request', { method: 'DELETE', path: '/data/Account/x' })).message).toMatch(/--deny-methods/);
      expect(err(await s.call('onecrm_proxy_request', { method: 'PUT', path: '/data/Account/x', body: {} })).code).toBe('POLICY_DENIED');
    });

    it('an allow list admits only what it names; the same rules load from a --config file', async () => {
      const dir = pool.dir('config-');
      const file = join(dir.dir, 'policy.json');
      writeFileSync(file, JSON.stringify({ allowActions: ['1crm:list-*', '1crm:get-*'], confirm: 'never' }));
      const s = await server({ args: ['--config', file] });
      expect(ok(await s.call('onecrm_run_action', { actionId: 'list-accounts', input: { limit: 1 } })).backend).toBe(backend.name);
      const e = err(await s.call('onecrm_run_action', { actionId: 'create-account', input: { name: 'x' } }));
      expect(e.code).toBe('POLICY_DENIED');
      expect(e.message).toMatch(/--allow-actions/);
    });
  });

  describe('connections belong to their connector', () => {
    it("another connector's connectionId is refused, so its rules and --connectors cannot be sidestepped", async () => {
      const all = await server({ args: ['--deny-actions', '1crm:*'] });
      const oneId = (ok(await all.call('onecrm_list_connections')).connections as { id: string }[])[0].id;
      expect(err(await all.call('onecrm_run_action', { actionId: 'list-accounts' })).code).toBe('POLICY_DENIED');
      const viaAmo = err(await all.call('amocrm_run_action', { actionId: 'list-accounts', connectionId: oneId }));
      expect(viaAmo.code).toBe('INVALID_INPUT');
      expect(viaAmo.message).toMatch(/belongs to 1crm, not amocrm/);
      expect(err(await all.call('amocrm_proxy_request', { path: '/data/Account', connectionId: oneId })).code).toBe('INVALID_INPUT');

      const amoOnly = await server({ args: ['--connectors', 'amocrm'] });
      expect(err(await amoOnly.call('amocrm_proxy_request', { path: '/data/Account', connectionId: oneId })).message).toMatch(
        /belongs to 1crm/,
      );
    });
  });

  describe('actions the agent builds and names', () => {
    it('deny globs also match the action type, so a renamed built action cannot escape them', async () => {
      const s = await server({ args: ['--deny-actions', 'amocrm:update-*'] });
      const built = ok(
        await s.call('amocrm_create_action', { description: 'update the price of a lead', name: 'Reprice lead', waitSeconds: 20 }),
      );
      const action = built.action as { id: string; key: string };
      expect(action.key).not.toMatch(/^update-/);
      const e = err(await s.call('amocrm_run_action', { actionId: action.id, input: { id: 1, price: 1 } }));
      expect(e.code).toBe('POLICY_DENIED');
      expect(e.message).toMatch(/--deny-actions/);
    });
  });

  describe('confirmation', () => {
    it('a destructive call runs only with the token bound to exactly that call, once', async () => {
      const s = await server();
      const created = ok(await s.call('onecrm_run_action', { actionId: 'create-product', input: { name: 'Widget to delete' } }));
      const id = (created.output as { id: string }).id;
      const call = { actionId: 'delete-product', input: { id } };

      const first = err(await s.call('onecrm_run_action', call));
      expect(first.code).toBe('CONFIRMATION_REQUIRED');
      const preview = first.details?.preview as Record<string, unknown>;
      expect(preview).toMatchObject({
        kind: 'destructive',
        connector: '1CRM',
        actionType: 'delete-data-record',
        input: JSON.stringify({ id }),
      });
      expect(preview.actionKey).toBe('"delete-product"');
      const token = first.details?.confirm as string;

      const changed = err(await s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: `${id}-other` }, confirm: token }));
      expect(changed.code).toBe('CONFIRMATION_REQUIRED');
      expect(changed.message).toMatch(/different call/);

      const done = ok(await s.call('onecrm_run_action', { ...call, confirm: token }));
      expect(done.output).toEqual({ id, deleted: true });

      const reused = err(await s.call('onecrm_run_action', { ...call, confirm: token, allowRepeat: true }));
      expect(reused.code).toBe('CONFIRMATION_REQUIRED');
      expect(reused.message).toMatch(/already used|unknown|expired/);
    });

    it('--confirm writes asks for every change; --confirm never for none', async () => {
      const w = await server({ args: ['--confirm', 'writes'] });
      expect(err(await w.call('onecrm_run_action', { actionId: 'create-note', input: { name: 'n' } })).code).toBe('CONFIRMATION_REQUIRED');
      expect(err(await w.call('onecrm_proxy_request', { method: 'POST', path: '/data/Note', body: { data: { name: 'n' } } })).code).toBe(
        'CONFIRMATION_REQUIRED',
      );
      const n = await server({ args: ['--confirm', 'never'] });
      const made = ok(await n.call('onecrm_run_action', { actionId: 'create-product', input: { name: 'Gone soon' } }));
      expect(
        ok(await n.call('onecrm_run_action', { actionId: 'delete-product', input: { id: (made.output as { id: string }).id } })).output,
      ).toMatchObject({ deleted: true });
    });

    it('asks the user through elicitation when the client supports it: accept runs, decline refuses, cancel falls back to a token', async () => {
      let answer: DialogAnswer = 'accept';
      const asked: string[] = [];
      const s = await server({ capabilities: { elicitation: {} }, setup: answerDialogs(asked, () => answer) });
      const make = async (name: string) =>
        (ok(await s.call('onecrm_run_action', { actionId: 'create-product', input: { name } })).output as { id: string }).id;

      const a = await make('Elicit accept');
      expect(ok(await s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: a } })).output).toMatchObject({
        deleted: true,
      });
      expect(asked[0]).toMatch(/delete-product/);

      answer = 'decline';
      const b = await make('Elicit decline');
      const declined = err(await s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: b } }));
      expect(declined.code).toBe('USER_DECLINED');
      expect(declined.details).not.toHaveProperty('confirm');
      expect(ok(await s.call('onecrm_proxy_request', { path: `/data/Product/${b}` })).status).toBe(200);

      // Two identical calls in parallel while the dialog is open: one dialog and one write, never two.
      answer = 'accept';
      const twin = await make('Elicit twin');
      const dialogsBefore = asked.length;
      const [first, second] = await Promise.all([
        s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: twin } }),
        s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: twin } }),
      ]);
      const outcomes = [first, second].map((r) => (r.isError ? err(r).code : 'ran')).sort();
      expect(outcomes).toEqual(['DUPLICATE_WRITE', 'ran']);
      expect(asked.length - dialogsBefore).toBe(1);

      answer = 'cancel';
      const fallback = err(await s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: b } }));
      expect(fallback.code).toBe('CONFIRMATION_REQUIRED');
      expect(fallback.details?.confirm).toEqual(expect.any(String));
      expect(asked).toHaveLength(4);
    });
  });

  describe('argument safety', () => {
    const hostile = [
      '--help',
      '-X DELETE',
      '$(id)',
      '; rm -rf /',
      '`reboot`',
      "' OR 1=1 --",
      'line1\nline2',
      'Ünïcødé 🚀',
      'a'.repeat(100_000),
    ];

    /** The shape of an argv: the command words, then each element reduced to its flag name (or "<positional>"). */
    function argvShape(argv: string[]): string[] {
      let afterSeparator = false;
      return argv.map((a, i) => {
        if (i < 2) return a;
        if (afterSeparator) return '<positional>';
        if (a === '--') {
          afterSeparator = true;
          return a;
        }
        const m = /^(--[A-Za-z]+)(=|$)/.exec(a);
        return m ? m[1] : '<positional>';
      });
    }

    /** The shape of an API request: method, path with the ids of connections and actions left out, query keys. */
    function routeShape([method, path, ...query]: string[]): string[] {
      const segments = path.split('/');
      const template = segments.map((seg, i) => (['connections', 'actions'].includes(segments[i - 1]) ? ':id' : seg)).join('/');
      return [method, template, ...query.map((q) => q.slice(0, q.indexOf('='))).sort()];
    }

    const shape = (c: LoggedCall) => (backend.name === 'sandbox-cli' ? argvShape(c.raw) : routeShape(c.raw));

    it('hostile values (including a 100 kB string) never change the shape of what reaches the sandbox', async () => {
      const dir = pool.dir('argv-');
      const log = join(dir.dir, 'calls.jsonl');
      const s = await server({ db: dir.path, args: ['--confirm', 'never'], env: callLogEnv(backend, log) });
      const cid = (ok(await s.call('onecrm_list_connections')).connections as { id: string }[])[0].id;
      const shapesOf = (operation: string) =>
        loggedCalls(backend, log)
          .filter((c) => c.operation === operation)
          .map(shape);

      for (const value of hostile) {
        await s.call('onecrm_search_actions', { intent: value.slice(0, 200), connectionId: cid });
        await s.call('onecrm_run_action', {
          actionId: 'create-note',
          connectionId: cid,
          input: { name: 'Hostile value test', description: value },
          allowRepeat: true,
        });
        const proxied = await s.call('onecrm_proxy_request', {
          path: '/data/Note',
          connectionId: cid,
          query: { filter_text: value },
          headers: { 'X-Note': value.replace(/\n/g, ' ').slice(0, 500) },
        });
        // A URL that long is refused before it is sent, the same on both (no server on the way would take it).
        if (value.length > MAX_QUERY_CHARS) expect(err(proxied).message).toMatch(/rule: query-length/);
        await s.call('onecrm_create_action', { description: value.slice(0, 1000), connectionId: cid, waitSeconds: 1 });
      }
      for (const operation of ['action list', 'action run', 'request', 'action create']) {
        const shapes = shapesOf(operation);
        const sent = operation === 'request' ? hostile.filter((v) => v.length <= MAX_QUERY_CHARS).length : hostile.length;
        expect(shapes.length, operation).toBeGreaterThanOrEqual(sent);
        for (const sh of shapes) expect(sh, operation).toEqual(shapes[0]);
      }
      // The hostile text reached the sandbox intact, as one value: the intent, and the description of a built action.
      expect(
        loggedCalls(backend, log).some((c) => c.raw.includes(backend.name === 'sandbox-cli' ? '--intent=--help' : 'intent=--help')),
      ).toBe(true);
      const actions = (await runSandbox(['action', 'list', `--connectionId=${cid}`, '--json'], { db: dir.path })).json as {
        items: { description?: string }[];
      };
      expect(actions.items.some((a) => a.description === '-X DELETE')).toBe(true);
    });

    it('hostile identifiers and NUL bytes are refused before any call reaches the sandbox', async () => {
      const dir = pool.dir('argv-ids-');
      const log = join(dir.dir, 'calls.jsonl');
      const s = await server({ db: dir.path, env: callLogEnv(backend, log) });
      for (const bad of ['--help', '-X', '$(id)', '; rm -rf /', 'a b', '../x', 'x\u0000y']) {
        expect(err(await s.call('onecrm_run_action', { actionId: bad })).code).toBe('INVALID_INPUT');
        expect(err(await s.call('onecrm_search_actions', { intent: 'x', connectionId: bad })).code).toBe('INVALID_INPUT');
      }
      expect(err(await s.call('onecrm_create_action', { description: 'list \u0000 accounts' })).code).toBe('INVALID_INPUT');
      let logged = '';
      try {
        logged = readFileSync(log, 'utf8');
      } catch {
        // no call at all: the file was never created
      }
      expect(logged).not.toMatch(/--help|\$\(id\)|rm -rf/);
    });
  });

  describe('secrets', () => {
    it('token-like strings the sandbox prints never reach a log line, an error or a result', async () => {
      const s = await server({ env: { MEMBRANE_SANDBOX_FAULT: 'stderr-noise', MEMBRANE_CRM_LOG_LEVEL: 'debug' } });
      const results = [
        await s.call('onecrm_list_connections'),
        await s.call('onecrm_search_actions', { intent: 'list accounts' }),
        await s.call('onecrm_run_action', { actionId: 'get-account', input: { id: 'missing' } }),
      ];
      // The sandbox's stderr (each CLI call's, or the API child's) is logged at debug level — redacted.
      expect(await waitFor(() => /Authorization: \[REDACTED\]/.test(s.stderr()))).toBe(true);
      const everything = s.stderr() + results.map((r) => text(r) + JSON.stringify(r.structuredContent)).join('\n');
      expect(everything).not.toMatch(/sbx_secret_|sbx_at_/);
      expect(everything).toMatch(/\[REDACTED\]/);
    });
  });
});
