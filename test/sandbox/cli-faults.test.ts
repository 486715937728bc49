// MEMBRANE_SANDBOX_FAULT and MEMBRANE_SANDBOX_ARGV_LOG, against the built binary.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSandbox, SANDBOX_CLI, seededConnectionIds, seededSandbox, tempDb, type Json } from '../helpers/sandbox.js';

const { db, ids, run } = seededSandbox('sbx-faults-');

const fault = (spec: string) => ({ MEMBRANE_SANDBOX_FAULT: spec });

describe('faults', () => {
  it('rate-fill --requests=<n>: exactly the next n AmoCRM requests (proxy or action) meet the limit, then they pass; 1CRM is not limited', async () => {
    const own = tempDb('sbx-rate-requests-');
    try {
      const ids = await seededConnectionIds(own.path);
      const r = (args: string[]) => runSandbox(args, { db: own.path, env: fault('rate-limit') });
      const armed = await runSandbox(['sandbox', 'rate-fill', '--requests=2', '--json'], { db: own.path });
      expect(armed.exitCode, armed.stderr).toBe(0);
      expect(armed.json).toEqual({ connectorKey: 'amocrm', requests: 2 });
      // 1CRM has no rate limit: it uses none of the armed refusals.
      expect((await r(['action', 'run', 'list-accounts', `--connectionId=${ids.onecrm}`, '--json'])).exitCode).toBe(0);
      const first = await r(['request', ids.amocrm, '/api/v4/leads', '--json']);
      const second = await r(['action', 'run', 'list-leads', `--connectionId=${ids.amocrm}`, '--json']);
      const third = await r(['action', 'run', 'list-leads', `--connectionId=${ids.amocrm}`, '--json']);
      expect(first.json).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
      expect(second.exitCode).toBe(1);
      expect(second.json).toMatchObject({ key: 'rate_limit_exceeded', data: { response: { status: 429 } } });
      expect(third.exitCode, third.stderr).toBe(0);
      // A refused write uses up its refusal too (and writes nothing).
      await runSandbox(['sandbox', 'rate-fill', '--requests=1'], { db: own.path });
      const write = ['action', 'run', 'create-lead', `--connectionId=${ids.amocrm}`, '--input={"name":"Armed"}', '--json'];
      expect((await r(write)).json).toMatchObject({ key: 'rate_limit_exceeded' });
      expect((await r(write)).exitCode).toBe(0);
      const both = await runSandbox(['sandbox', 'rate-fill', '--requests=1', '--holdMs=10'], { db: own.path });
      expect(both.exitCode).not.toBe(0);
      expect(both.stderr).toMatch(/--requests and --holdMs cannot be combined/);
    } finally {
      own.cleanup();
    }
  });

  it('latency=<ms> sleeps before answering normally', async () => {
    const started = Date.now();
    const r = await run(['status', '--json'], fault('latency=400'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({ loggedIn: true });
  });

  it('not-logged-in: tenant commands fail with not_authenticated; status says logged out; sandbox commands are unaffected', async () => {
    const env = fault('not-logged-in');
    const [list, request, status, login, info] = await Promise.all([
      run(['connection', 'list', '--json'], env),
      run(['request', ids.amocrm, '/api/v4/leads', '--json'], env),
      run(['status', '--json'], env),
      run(['login', '--json'], env),
      run(['sandbox', 'info', '--json'], env),
    ]);
    const expected = { type: 'bad_request', key: 'not_authenticated', message: 'Not logged in. Run `membrane login --tenant`' };
    expect(list.exitCode).toBe(1);
    expect(list.json).toEqual(expected);
    expect(list.stderr.trim()).toBe('Error: Not logged in. Run `membrane login --tenant`');
    expect(request.exitCode).toBe(1);
    expect(request.json).toEqual(expected);
    expect(status.exitCode).toBe(0);
    expect(status.json).toMatchObject({ loggedIn: false });
    expect(login.exitCode).toBe(0);
    expect(info.json).toMatchObject({ loggedIn: true });
  });

  it('expired-connection: every connection reports disconnected; request fails with connection_is_defunct', async () => {
    const env = fault('expired-connection');
    const [list, get, request] = await Promise.all([
      run(['connection', 'list', '--json'], env),
      run(['connection', 'get', ids.onecrm, '--json'], env),
      run(['request', ids.amocrm, '/api/v4/leads', '--json'], env),
    ]);
    for (const c of (list.json as Json).items as Json[]) {
      expect(c).toMatchObject({ state: 'CLIENT_ACTION_REQUIRED', disconnected: true, connected: false });
      expect(c.clientAction).toMatchObject({ type: 'connect', uiUrl: `https://sandbox.membrane.local/connections/${c.id}/reconnect` });
    }
    expect(get.json).toMatchObject({ id: ids.onecrm, disconnected: true });
    expect(request.exitCode).toBe(1);
    expect(request.json).toMatchObject({
      type: 'connection',
      key: 'connection_is_defunct',
      message: expect.stringContaining('expired'),
      data: { connectionId: ids.amocrm, uiUrl: `https://sandbox.membrane.local/connections/${ids.amocrm}/reconnect` },
    });
    // Without the fault the same connection is fine: the fault changes no stored state.
    const normal = await run(['connection', 'get', ids.amocrm, '--json']);
    expect(normal.json).toMatchObject({ state: 'READY', disconnected: false });
  });

  it('rate-limit: the window is one second, shared by every process', async () => {
    const env = fault('rate-limit');
    const fill = await run(['sandbox', 'rate-fill', '--json']);
    expect(fill.json).toMatchObject({ connectorKey: 'amocrm', events: 7, windowMs: 1000, at: expect.any(String) });
    await new Promise((r) => setTimeout(r, 1100));
    const later = await run(['request', ids.amocrm, '/api/v4/leads', '--json'], env);
    expect((later.json as Json).status).not.toBe(429);
  });

  it('rate-limit: a full window (filled by another process) gives AmoCRM 429 with Retry-After; 1CRM is not limited', async () => {
    const env = fault('rate-limit');
    // --holdMs keeps the window full long enough for a slow machine to start the processes.
    const fill = await run(['sandbox', 'rate-fill', '--holdMs=20000', '--json']);
    expect(Date.parse((fill.json as Json).until) - Date.parse((fill.json as Json).at)).toBe(20000);
    const [a, b, one] = await Promise.all([
      run(['request', ids.amocrm, '/api/v4/leads', '--json'], env),
      run(['request', ids.amocrm, '/api/v4/account'], env),
      run(['request', ids.onecrm, '/data/Account', '--json'], env),
    ]);
    expect(a.exitCode).toBe(1);
    expect(a.json).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect(a.stderr.trim()).toBe('HTTP 429');
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain('HTTP 429');
    expect((one.json as Json).status).not.toBe(429);
    // Without the fault nothing is limited.
    const free = await run(['request', ids.amocrm, '/api/v4/leads', '--json']);
    expect((free.json as Json).status).toBe(200);
  });

  it('crash: partial JSON on stdout and exit 137; the command itself ran', async () => {
    const normal = await run(['connection', 'list', '--json']);
    const r = await run(['connection', 'list', '--json'], fault('crash'));
    expect(r.exitCode).toBe(137);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.json).toBeUndefined();
    expect(normal.stdout.startsWith(r.stdout)).toBe(true);

    const created = await run(['connect', '--connectorKey=hubspot', '--allowMultipleConnections', '--json'], fault('crash'));
    expect(created.exitCode).toBe(137);
    const after = await run(['connection', 'list', '--integrationKey=hubspot', '--json']);
    expect(((after.json as Json).items as Json[]).length).toBeGreaterThanOrEqual(1);
  });

  it('garbage: non-JSON stdout, exit 0', async () => {
    const r = await run(['connection', 'list', '--json'], fault('garbage'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(() => JSON.parse(r.stdout)).toThrow();
  });

  it('stderr-noise: token-like lines on stderr, stdout unchanged', async () => {
    const [noisy, quiet] = await Promise.all([
      run(['connection', 'list', '--json'], fault('stderr-noise')),
      run(['connection', 'list', '--json']),
    ]);
    expect(noisy.exitCode).toBe(0);
    expect(noisy.json).toEqual(quiet.json);
    expect(noisy.stderr).toMatch(/Authorization: Bearer sbx_secret_[0-9a-f]+/);
    expect(noisy.stderr).toMatch(/access_token=\w+/);
  });

  it('faults combine, unknown faults are a usage error, sandbox commands ignore faults', async () => {
    const [combo, unknown, info] = await Promise.all([
      run(['status', '--json'], fault('latency=50, stderr-noise')),
      run(['status', '--json'], fault('explode')),
      run(['sandbox', 'info', '--json'], fault('garbage,crash')),
    ]);
    expect(combo.exitCode).toBe(0);
    expect(combo.stderr).toContain('sbx_secret_');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.json).toMatchObject({ key: 'usage', message: expect.stringContaining("Unknown fault 'explode'") });
    expect(info.exitCode).toBe(0);
    expect(info.json).toMatchObject({ schemaVersion: expect.any(Number) });
  });
});

interface ProcInfo {
  pid: number;
  state: string;
  cmdline: string;
}

/** Live members of a process group, from /proc (Linux). */
function processGroup(pgid: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      out.push({ pid: Number(entry), state: fields[0], cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

describe('hang', () => {
  it('never exits and leaves a grandchild in its process group; killing the group leaves nothing behind', async () => {
    const child = execa(process.execPath, [SANDBOX_CLI, 'status', '--json'], {
      detached: true, // its own process group, so the test can kill the whole group
      reject: false,
      stdin: 'ignore',
      env: { MEMBRANE_SANDBOX_DB: db.path, MEMBRANE_SANDBOX_FAULT: 'hang' },
    });
    const pgid = child.pid!;
    try {
      // Wait (without a fixed sleep) until the grandchild shows up in the group.
      let grandchildren: ProcInfo[] = [];
      for (let i = 0; i < 200 && grandchildren.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        grandchildren = processGroup(pgid).filter((p) => p.cmdline.includes('membrane-sandbox-grandchild'));
      }
      expect(grandchildren).toHaveLength(1);
      expect(child.exitCode).toBeNull(); // still hanging
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // group already gone
      }
    }
    const r = await child;
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('');
    for (let i = 0; i < 40 && processGroup(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(processGroup(pgid)).toEqual([]);
  });
});

describe('argv log', () => {
  it('appends each argv as one JSON line, values that look like flags included, even for usage errors', async () => {
    const log = join(db.dir, 'argv.log');
    const env = { MEMBRANE_SANDBOX_ARGV_LOG: log };
    const argvs = [
      ['connection', 'list', '--search=--help', '--json'],
      ['connection', 'list', '--search', '-X DELETE', '--json'],
      ['action', 'run', 'create-lead', '--connectionId=x', '--input={"name":"a \\"quoted\\"\\nline ✓"}', '--json'],
      ['frobnicate', '--what'],
    ];
    const results = [];
    for (const argv of argvs) results.push(await run(argv, env));
    expect(results[0].exitCode).toBe(0);
    expect(results[1].exitCode).toBe(0);
    expect(results[3].exitCode).toBe(2);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(argvs);
  });
});
