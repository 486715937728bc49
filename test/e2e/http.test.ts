// --http: the same tools over Streamable HTTP, statelessly (no MCP sessions: any request stands alone, so
// any replica can answer it), guarded by a Host check (DNS rebinding), an Origin check and, when set, a
// bearer token. Real server process, real sandbox, SDK clients of both eras and raw HTTP. The tool calls run on both
// sandbox backends; the transport's own checks on the default one (the sandbox API).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type HttpServerHandle, startHttpServer } from '../helpers/http.js';
import { logLevelMeta, serverEnv } from '../helpers/mcp.js';
import { ROOT, SERVER_CLI, tempDb } from '../helpers/sandbox.js';
import { sandboxProcesses, waitFor, waitForNoSandboxProcesses } from '../helpers/processes.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const toolsCall = (id: number, name: string, args: unknown, _meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(_meta ? { _meta } : {}) },
});

/** One raw HTTP request (fetch cannot set Host or the source address). */
function raw(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string; from?: string; onData?: (body: string) => void },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: opts.path ?? u.pathname,
        method: opts.method ?? 'POST',
        localAddress: opts.from,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
          ...opts.headers,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
          opts.onData?.(body);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The JSON-RPC message of a response body: plain JSON, or the last `data:` event of an SSE stream. */
function rpcOf(body: string): { result?: Record<string, unknown>; error?: { code: number; message: string } } {
  const events = body
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5));
  return JSON.parse(events.length ? events[events.length - 1] : body) as ReturnType<typeof rpcOf>;
}

const structured = (r: unknown) => (r as CallToolResult & { structuredContent: Record<string, unknown> }).structuredContent;

describe.each(BACKENDS)('tools over Streamable HTTP on $name', (backend) => {
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer({ backend });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('serves the same ten tools and runs them against the sandbox, to both eras', async () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    for (const era of ['legacy', 'modern'] as const) {
      const client = await srv.connect({ era });
      expect(client.getProtocolEra()).toBe(era);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        ['amocrm', 'onecrm']
          .flatMap((p) => ['create_action', 'list_connections', 'proxy_request', 'run_action', 'search_actions'].map((s) => `${p}_${s}`))
          .sort(),
      );
      const conns = structured(await client.callTool({ name: 'amocrm_list_connections', arguments: {} }));
      expect(conns.backend).toBe(backend.name);
      expect((conns.connections as { state: string }[])[0].state).toBe('READY');
      const search = structured(await client.callTool({ name: 'amocrm_search_actions', arguments: { intent: 'create a lead' } }));
      expect((search.actions as { key: string }[])[0].key).toBe('create-lead');
    }
  });

  it('a paged result continues on a later request (result pages live in the state store, not in a session)', async () => {
    const a = await srv.connect({ era: 'modern' });
    const b = await srv.connect({ era: 'legacy' });
    const first = structured(await a.callTool({ name: 'amocrm_run_action', arguments: { actionId: 'list-leads', input: { limit: 250 } } }));
    const truncated = first.truncated as { resultId: string; nextOffset: number };
    expect(truncated.resultId).toMatch(/^r_/);
    // Another client, another era, another request: the page is served from the store.
    const next = structured(
      await b.callTool({ name: 'amocrm_run_action', arguments: { resultId: truncated.resultId, offset: truncated.nextOffset } }),
    );
    expect(next.output).toBeDefined();
    expect(next.backend).toBe(backend.name);
  });
});

describe('Streamable HTTP on loopback, no token', () => {
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('keeps no sessions: no session id is issued, any request stands alone, GET and DELETE are 405', async () => {
    const init = await raw(srv.url, { body: JSON.stringify(INIT) });
    expect(init.status).toBe(200);
    expect(init.headers['mcp-session-id']).toBeUndefined();
    // A tools/call with no initialize before it (another replica may have answered that) is served.
    const alone = await raw(srv.url, { body: JSON.stringify(toolsCall(2, 'onecrm_list_connections', {})) });
    expect(alone.status).toBe(200);
    expect(rpcOf(alone.body).result?.structuredContent).toMatchObject({ backend: 'sandbox-api', connector: '1crm' });
    for (const method of ['GET', 'DELETE']) {
      const r = await raw(srv.url, { method, headers: { 'mcp-session-id': 'whatever' } });
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('POST');
      expect(JSON.parse(r.body).error.message).toMatch(/use POST/);
    }
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

  it('answers protocol mistakes with JSON-RPC errors, never HTML or a stack', async () => {
    const notJson = await raw(srv.url, { body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe(-32700);
    const put = await raw(srv.url, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    const elsewhere = await raw(srv.url, { path: '/other', body: '{}' });
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body).error.message).toMatch(/endpoint is \/mcp/);
    const tooBig = await raw(srv.url, { body: JSON.stringify({ x: 'y'.repeat(5 * 1024 * 1024) }) }).catch(() => ({
      status: 413,
      body: '',
    }));
    expect(tooBig.status).toBe(413);
    for (const r of [notJson, put, elsewhere]) {
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(r.body).not.toMatch(/<html|\n\s+at /i);
    }
  });

  it('N8: one canonical path (/MCP, /mcp/ and /mcp/x are 404; a query string is ignored)', async () => {
    for (const path of ['/MCP', '/mcp/', '/mcp/x', '/Mcp']) {
      const r = await raw(srv.url, { path, body: JSON.stringify(INIT) });
      expect(r.status, path).toBe(404);
    }
    expect((await raw(srv.url, { path: '/mcp?x=1', body: JSON.stringify(INIT) })).status).toBe(200);
  });

  it('N8: tools/call with missing or ill-typed params is -32602 with a short message (no validation dump)', async () => {
    for (const params of [undefined, null, 5, { name: 7 }, { arguments: {} }, { name: 'amocrm_list_connections', arguments: [1] }]) {
      const r = await raw(srv.url, { body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params }) });
      const error = rpcOf(r.body).error!;
      expect(error.code, JSON.stringify(params)).toBe(-32602);
      expect(error.message).toMatch(/^Invalid params for tools\/call: params/);
      expect(error.message).not.toMatch(/invalid_type|"path"|\[/);
    }
  });
});

describe('per-request isolation of log lines and progress', () => {
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer({ args: ['--log-level=debug'], env: { MEMBRANE_SANDBOX_BUILD_MS: '3500' } });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("two clients never see each other's log lines or progress; a 2026 request gets log lines only when it asks", async () => {
    const seen: Record<string, { logs: string[]; progress: number }> = {};
    const connect = async (name: string, era: 'legacy' | 'modern') => {
      seen[name] = { logs: [], progress: 0 };
      const client = await srv.connect({
        name,
        era,
        setup: (c) => c.setNotificationHandler('notifications/message', (n) => void seen[name].logs.push(JSON.stringify(n.params))),
      });
      return client;
    };
    const legacy = await connect('legacy', 'legacy');
    const modern = await connect('modern', 'modern');
    const silent = await connect('silent', 'modern');
    const bystander = await connect('bystander', 'legacy');
    expect(bystander.getProtocolEra()).toBe('legacy');

    await Promise.all([
      legacy.callTool({ name: 'amocrm_list_connections', arguments: { refresh: true } }),
      modern.callTool(
        {
          name: 'onecrm_create_action',
          arguments: { description: 'list the notes of an account', waitSeconds: 20 },
          _meta: logLevelMeta('debug'),
        },
        { onprogress: () => void seen.modern.progress++, timeout: 60_000 },
      ),
      silent.callTool({ name: 'onecrm_search_actions', arguments: { intent: 'list accounts' } }),
    ]);

    expect(seen.legacy.logs.some((l) => l.includes('amocrm_list_connections ok'))).toBe(true);
    expect(seen.legacy.logs.join('\n')).not.toMatch(/onecrm_/);
    expect(seen.modern.logs.some((l) => l.includes('onecrm_create_action ok'))).toBe(true);
    expect(seen.modern.logs.join('\n')).not.toMatch(/amocrm_|search_actions/);
    expect(seen.modern.progress).toBeGreaterThanOrEqual(1);
    expect(seen.silent.logs).toEqual([]); // a 2026 request without a log level gets none
    expect(seen.bystander.logs).toEqual([]); // a client with no call running hears nothing at all
  });
});

describe.each(BACKENDS)('HTTP limits per client (B9) on $name', (backend) => {
  let srv: HttpServerHandle;
  beforeAll(async () => {
    // Every sandbox call takes 6 s: a client's calls stay open long enough to count, well past their first progress (2 s in).
    srv = await startHttpServer({ backend, args: ['--max-concurrency=8'], env: { MEMBRANE_SANDBOX_FAULT: 'latency=6000' } });
  });
  /**
   * The call is under way: a CLI process of its own; over the API a request to the one `serve` child, which outlives
   * every call and logs a request only once answered, so there: the call reported progress (its first heartbeat).
   */
  const callRunning = async (progressed: () => boolean) => {
    if (backend.name === 'sandbox-cli') return waitFor(() => sandboxProcesses(srv.db).length > 0, 5000);
    return waitFor(progressed, 10_000);
  };
  const cancelledLines = (tool: string) =>
    srv
      .stderr()
      .split('\n')
      .filter((l) => l.includes(`${tool} → CANCELLED`)).length;
  /**
   * The call's work stopped before the sandbox answered: the server logged it CANCELLED (a call that ran to its end logs
   * no such line), and its CLI process is gone (over the API the one `serve` child outlives every call). Waited for, not
   * timed: the sandbox's own 6 s ends the call anyway.
   */
  const callStopped = async (tool: string, before: number) => {
    if (!(await waitFor(() => cancelledLines(tool) > before, 10_000))) return false;
    return backend.name === 'sandbox-api' || (await waitForNoSandboxProcesses(srv.db)).length === 0;
  };
  afterAll(async () => {
    await srv?.stop();
  });

  it('B9: a client holding 16 open requests gets 429 for more, while another client is served; its slots come back', async () => {
    // A request counts once the server has read it; it has when its call reports progress (2 s in, 4 s before it ends).
    const reporting = new Set<number>();
    const held = Array.from({ length: 16 }, (_, i) =>
      raw(srv.url, {
        body: JSON.stringify(toolsCall(100 + i, 'amocrm_list_connections', { refresh: true }, { progressToken: i })),
        onData: (body) => {
          if (body.includes('notifications/progress')) reporting.add(i);
        },
      }),
    );
    expect(await waitFor(() => reporting.size === 16, 15_000)).toBe(true);
    const refused = await raw(srv.url, { body: JSON.stringify(toolsCall(200, 'amocrm_list_connections', {})) });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body).error.message).toMatch(/Too many open requests from this client \(16\)/);

    // Another client (another loopback address) is served meanwhile: tools/list and a call that needs no CLI.
    const list = await raw(srv.url, { from: '127.0.0.2', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(list.status).toBe(200);
    expect((rpcOf(list.body).result?.tools as unknown[]).length).toBe(10);
    const invalid = await raw(srv.url, { from: '127.0.0.2', body: JSON.stringify(toolsCall(2, 'amocrm_list_connections', { x: 1 })) });
    expect((rpcOf(invalid.body).result?.structuredContent as { error: { code: string } }).error.code).toBe('INVALID_INPUT');

    for (const r of await Promise.all(held)) expect(r.status).toBe(200);
    const after = await raw(srv.url, { body: JSON.stringify(toolsCall(300, 'amocrm_search_actions', { intent: 'x y' })) });
    expect(after.status).toBe(200);
  });

  it('a 2026 client that cancels a call (it closes the request stream) stops the sandbox call', async () => {
    const client = await srv.connect({ era: 'modern' });
    const cancel = new AbortController();
    const before = cancelledLines('onecrm_list_connections');
    let progressed = false;
    const call = client
      .callTool(
        { name: 'onecrm_list_connections', arguments: { refresh: true } },
        { signal: cancel.signal, onprogress: () => void (progressed = true) },
      )
      .catch(() => 'cancelled');
    expect(await callRunning(() => progressed)).toBe(true);
    cancel.abort('the user clicked stop');
    expect(await call).toBe('cancelled');
    // The sandbox call would take 6 s; it is stopped before it answers.
    expect(await callStopped('onecrm_list_connections', before)).toBe(true);
  });

  it("a 2025 client's call stops when its request's connection closes (its notifications/cancelled has no session to reach)", async () => {
    const client = await srv.connect({ era: 'legacy' });
    const before = cancelledLines('amocrm_list_connections');
    let progressed = false;
    const call = client
      .callTool({ name: 'amocrm_list_connections', arguments: { refresh: true } }, { onprogress: () => void (progressed = true) })
      .catch(() => 'closed');
    expect(await callRunning(() => progressed)).toBe(true);
    await client.close();
    expect(await call).toBe('closed');
    expect(await callStopped('amocrm_list_connections', before)).toBe(true);
  });
});

describe('Streamable HTTP with a bearer token', () => {
  const token = 'test-token-0123456789abcdef';
  const report = mkdtempSync(join(tmpdir(), 'env-report-'));
  let srv: HttpServerHandle;
  beforeAll(async () => {
    srv = await startHttpServer({
      args: ['--membrane-cli', join(ROOT, 'test', 'fixtures', 'cli', 'env-report.mjs')],
      env: {
        MEMBRANE_CRM_HTTP_TOKEN: token,
        MEMBRANE_CRM_STATE_SECRET: 'state-secret-0123456789abcdef-0123456789',
        MEMBRANE_CRM_SANDBOX: '0',
        ENV_REPORT_FILE: join(report, 'env.jsonl'),
      },
    });
  });
  afterAll(async () => {
    await srv?.stop();
    rmSync(report, { recursive: true, force: true });
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
    const elsewhere = await raw(srv.url, { path: '/other', body: '{not json' });
    expect(elsewhere.status).toBe(401);
  });

  it('serves a client that sends it; the CLI children get neither the token nor the state secret in their environment', async () => {
    const client = await srv.connect({ token });
    const r = structured(await client.callTool({ name: 'onecrm_list_connections', arguments: {} }));
    expect(r.connections).toEqual([]); // the fake CLI has none
    const envs = readFileSync(join(report, 'env.jsonl'), 'utf8').trim().split('\n');
    expect(envs.length).toBeGreaterThan(0);
    for (const line of envs) {
      const names = JSON.parse(line) as string[];
      expect(names).toContain('ENV_REPORT_FILE');
      expect(names).not.toContain('MEMBRANE_CRM_HTTP_TOKEN');
      expect(names).not.toContain('MEMBRANE_CRM_STATE_SECRET');
    }
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

  it('refuses a token shorter than 16 characters, and a state secret shorter than 32', async () => {
    const r = await run(['--http=0', '--http-token=short']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/httpToken.*at least 16 characters/);
    const s = await run(['--http=0'], { MEMBRANE_CRM_STATE_SECRET: 'too-short' });
    expect(s.exitCode).toBe(2);
    expect(s.stderr).toMatch(/stateSecret.*at least 32 characters/);
    expect(s.stderr).not.toContain('too-short');
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
