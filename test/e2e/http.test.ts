// --http: the same tools over Streamable HTTP, one session per client, guarded by the SDK's Host check
// (DNS rebinding) and, when set, a bearer token. Real server process, real sandbox, SDK client.
import { request } from 'node:http';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type HttpServerHandle, startHttpServer } from '../helpers/http.js';
import { serverEnv } from '../helpers/mcp.js';
import { SERVER_CLI, tempDb } from '../helpers/sandbox.js';
import { waitFor, waitForNoSandboxProcesses } from '../helpers/processes.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** One raw HTTP request (fetch cannot set Host). */
function raw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const structured = (r: unknown) => (r as CallToolResult & { structuredContent: Record<string, unknown> }).structuredContent;

describe('Streamable HTTP on loopback, no token', () => {
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('serves the same ten tools and runs them against the sandbox', async () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await srv.connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['amocrm', 'onecrm']
        .flatMap((p) => ['create_action', 'list_connections', 'proxy_request', 'run_action', 'search_actions'].map((s) => `${p}_${s}`))
        .sort(),
    );
    const conns = structured(await client.callTool({ name: 'amocrm_list_connections', arguments: {} }));
    expect(conns.backend).toBe('sandbox-cli');
    expect((conns.connections as { state: string }[])[0].state).toBe('READY');
    const search = structured(await client.callTool({ name: 'amocrm_search_actions', arguments: { intent: 'create a lead' } }));
    expect((search.actions as { key: string }[])[0].key).toBe('create-lead');
  });

  it('keeps sessions apart and ends one on DELETE', async () => {
    const a = await srv.connect({ name: 'a' });
    const b = await srv.connect({ name: 'b' });
    const [ra, rb] = await Promise.all([a.ping(), b.ping()]);
    expect(ra).toEqual({});
    expect(rb).toEqual({});
    const sessionA = (a.transport as { sessionId?: string }).sessionId!;
    expect(sessionA).toMatch(/^[0-9a-f-]{36}$/);
    expect(sessionA).not.toBe((b.transport as { sessionId?: string }).sessionId);

    const del = await raw(srv.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionA, 'mcp-protocol-version': '2025-06-18' } });
    expect(del.status).toBe(200);
    const after = await raw(srv.url, {
      headers: { 'mcp-session-id': sessionA },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body).error.message).toMatch(/initialize a new one/);
    expect(await b.ping()).toEqual({});
  });

  it('refuses a foreign Host header (DNS rebinding) before reading the body', async () => {
    const r = await raw(srv.url, { headers: { host: 'attacker.example:80' }, body: '{not json' });
    expect(r.status).toBe(403); // a body parsed first would have been a 400 parse error
    expect(JSON.parse(r.body).error.message).toBe('Invalid Host: attacker.example');
    const viaLocalhost = await raw(srv.url, { headers: { host: `localhost:${new URL(srv.url).port}` }, body: JSON.stringify(INIT) });
    expect(viaLocalhost.status).toBe(200);
  });

  it('refuses a browser request from another site (Origin), accepts its own', async () => {
    const port = new URL(srv.url).port;
    const foreign = await raw(srv.url, { headers: { origin: 'https://attacker.example' }, body: JSON.stringify(INIT) });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.message).toBe('Origin not allowed: https://attacker.example');
    const own = await raw(srv.url, { headers: { origin: `http://localhost:${port}` }, body: JSON.stringify(INIT) });
    expect(own.status).toBe(200);
  });

  it('answers protocol mistakes with JSON-RPC errors, not HTML', async () => {
    const notJson = await raw(srv.url, { body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe(-32700);
    const noSession = await raw(srv.url, { body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
    expect(noSession.status).toBe(400);
    expect(JSON.parse(noSession.body).error.message).toMatch(/first request must be initialize/);
    const put = await raw(srv.url, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('POST, GET, DELETE');
    const elsewhere = await raw(srv.url.replace(/\/mcp$/, '/other'), { body: '{}' });
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body).error.message).toMatch(/endpoint is \/mcp/);
  });
});

describe('logging over HTTP is per session', () => {
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer({ args: ['--log-level=debug'] });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("applies each client's logging/setLevel and sends a call's log lines only to its own session", async () => {
    const { LoggingMessageNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const quiet = await srv.connect({ name: 'quiet' });
    const chatty = await srv.connect({ name: 'chatty' });
    const bystander = await srv.connect({ name: 'bystander' });
    const seen: Record<string, string[]> = { quiet: [], chatty: [], bystander: [] };
    for (const [name, c] of [
      ['quiet', quiet],
      ['chatty', chatty],
      ['bystander', bystander],
    ] as const) {
      c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seen[name].push(JSON.stringify(n.params.data)));
    }
    await quiet.setLoggingLevel('error');
    await chatty.setLoggingLevel('debug');
    await bystander.setLoggingLevel('debug');

    await quiet.callTool({ name: 'amocrm_list_connections', arguments: { refresh: true } });
    await chatty.callTool({ name: 'onecrm_list_connections', arguments: { refresh: true } });
    // Notifications travel on the session's GET stream, not with the result: wait for chatty's, then check the others.
    expect(await waitFor(() => seen.chatty.some((d) => d.includes('onecrm_list_connections ok')), 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.quiet).toEqual([]); // its own debug lines are below the level it set
    expect(seen.bystander.filter((d) => d.includes('list_connections'))).toEqual([]); // never another session's
  });
});

describe('Streamable HTTP with a bearer token', () => {
  const token = 'test-token-0123456789abcdef';
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer({ env: { MEMBRANE_CRM_HTTP_TOKEN: token } });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('refuses requests without the token or with a wrong one, and does not log the token', async () => {
    const none = await raw(srv.url, { body: JSON.stringify(INIT) });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="membrane-crm-mcp"');
    const wrong = await raw(srv.url, { headers: { authorization: 'Bearer not-the-token-at-all' }, body: JSON.stringify(INIT) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    await expect(srv.connect()).rejects.toThrow();
    expect(srv.stderr()).not.toContain(token);
  });

  it('checks the token before reading any body, on every path', async () => {
    const mcp = await raw(srv.url, { body: '{not json' });
    expect(mcp.status).toBe(401); // a body parsed first would have been a 400 parse error
    const elsewhere = await raw(srv.url.replace(/\/mcp$/, '/other'), { body: '{not json' });
    expect(elsewhere.status).toBe(401);
  });

  it('serves a client that sends it', async () => {
    const client = await srv.connect({ token });
    const conns = structured(await client.callTool({ name: 'onecrm_list_connections', arguments: {} }));
    expect((conns.connections as unknown[]).length).toBeGreaterThan(0);
  });
});

describe('--http start-up rules', () => {
  const db = tempDb('http-rules-');
  afterAll(() => db.cleanup());
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, [SERVER_CLI, ...args], {
      env: serverEnv(db.path, env),
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: 15_000,
    });

  it('refuses a non-loopback --host without a token, naming the fix', async () => {
    const r = await run(['--http=0', '--host=0.0.0.0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address/);
    expect(r.stderr).toMatch(/MEMBRANE_CRM_HTTP_TOKEN/);
    expect(r.stdout).toBe('');
  });

  it('refuses a token shorter than 16 characters', async () => {
    const r = await run(['--http=0', '--http-token=short']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/httpToken.*at least 16 characters/);
  });

  it('prints the URL even when the log level hides info lines (the only way to learn a --http 0 port)', async () => {
    const quiet = await startHttpServer({ args: ['--log-level=error'] });
    try {
      expect(quiet.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(quiet.stderr()).not.toMatch(/\binfo:/);
    } finally {
      await quiet.stop();
    }
  });

  it('says when the port is taken', async () => {
    const first = await startHttpServer();
    try {
      const r = await run([`--http=${new URL(first.url).port}`]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/EADDRINUSE.*port is in use/);
    } finally {
      await first.stop();
    }
  });

  it('binds a non-loopback host when a token is set, and stops on SIGTERM with exit 0 and no CLI left', async () => {
    const srv = await startHttpServer({ args: ['--host=0.0.0.0'], env: { MEMBRANE_CRM_HTTP_TOKEN: 'another-token-0123456789' } });
    expect(srv.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
    expect(srv.stderr()).toMatch(/without a Host allow-list/);
    const client = await srv.connect({ token: 'another-token-0123456789' });
    const pending = client.callTool({ name: 'amocrm_list_connections', arguments: {} }).catch((e: unknown) => e);
    const db = srv.db;
    expect(await srv.stop()).toBe(0);
    await pending;
    expect(await waitForNoSandboxProcesses(db)).toEqual([]);
  });
});
