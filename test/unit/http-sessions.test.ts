// Session lifecycle of the HTTP transport, in process with small limits: a refused initialize frees its
// server, the session limit and the idle sweep never close a session with work in flight.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHttpServer, startHttpServer } from '../../src/transports/streamable-http.js';
import { createLogger } from '../../src/log.js';
import type { CreatedServer } from '../../src/server.js';
import { waitFor } from '../helpers/processes.js';

const log = createLogger({ level: 'error', write: () => undefined });

/** A stand-in for createServer: one tool, `wait`, that returns when the test releases it. */
function factory() {
  const counts = { created: 0, closed: 0 };
  const releases: (() => void)[] = [];
  const makeServer = (): CreatedServer => {
    counts.created++;
    const server = new McpServer({ name: 'test', version: '1' });
    server.registerTool(
      'wait',
      { description: 'waits' },
      () => new Promise((resolve) => releases.push(() => resolve({ content: [{ type: 'text', text: 'done' }] }))),
    );
    const close = async () => {
      counts.closed++;
      await server.close();
    };
    return { server, close } as unknown as CreatedServer;
  };
  const releaseAll = () => releases.splice(0).forEach((r) => r());
  return { counts, makeServer, releaseAll, pending: () => releases.length };
}

let running: RunningHttpServer | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await running?.close();
  running = undefined;
});

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  clients.push(client);
  return client;
}

/** A session opened by a bare initialize: no GET stream, so it is idle as soon as the answer is sent. */
async function rawSession(url: string): Promise<string> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: INIT,
  });
  await r.text();
  expect(r.status).toBe(200);
  return r.headers.get('mcp-session-id')!;
}

const ping = (url: string, session: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': session,
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
  }).then(async (r) => ({ status: r.status, body: await r.text() }));

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('HTTP sessions', () => {
  it('frees the server of an initialize the SDK refuses (no leak per bad request)', async () => {
    const f = factory();
    running = await startHttpServer({ port: 0, host: '127.0.0.1', allowedHosts: [], makeServer: f.makeServer, log });
    for (let i = 0; i < 5; i++) {
      // No Accept header: the transport answers 406 before any session exists.
      const r = await fetch(running.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: INIT });
      expect(r.status).toBe(406);
    }
    expect(f.counts).toEqual({ created: 5, closed: 5 });
    expect(running.sessions()).toBe(0);
  });

  it('at the limit, evicts the longest-idle session but never a busy one (a call or an open stream); 503 when all are busy', async () => {
    const f = factory();
    running = await startHttpServer({ port: 0, host: '127.0.0.1', allowedHosts: [], makeServer: f.makeServer, log, maxSessions: 3 });
    const busy = await connect(running.url); // an SDK client: keeps a GET stream open, and runs a call
    const call = busy.callTool({ name: 'wait', arguments: {} });
    expect(await waitFor(() => f.pending() === 1)).toBe(true);
    const older = await rawSession(running.url);
    const newer = await rawSession(running.url);

    const third = await rawSession(running.url); // evicts `older`, the longest idle
    expect(running.sessions()).toBe(3);
    expect((await ping(running.url, older)).status).toBe(404);
    expect((await ping(running.url, newer)).status).toBe(200);
    expect((await ping(running.url, third)).status).toBe(200);
    await rawSession(running.url); // evicts `newer`
    await rawSession(running.url); // evicts `third`
    expect(await busy.ping()).toEqual({});

    f.releaseAll();
    expect((await call).content).toEqual([{ type: 'text', text: 'done' }]);
  });

  it('answers 503 with Retry-After when every session is busy', async () => {
    const f = factory();
    running = await startHttpServer({ port: 0, host: '127.0.0.1', allowedHosts: [], makeServer: f.makeServer, log, maxSessions: 1 });
    const live = await connect(running.url);
    const refused = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: INIT,
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await live.ping()).toEqual({});
    expect(f.counts.created).toBe(1);
  });

  it('sweeps idle sessions, but not one with a call running or a stream open', async () => {
    const f = factory();
    // The timer never fires during the test: sweepIdle is driven with a clock 1 s ahead (idle = 500 ms).
    running = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      allowedHosts: [],
      makeServer: f.makeServer,
      log,
      idleMs: 500,
      sweepEveryMs: 3_600_000,
    });
    const idle = await rawSession(running.url);
    const working = await rawSession(running.url);
    const call = fetch(running.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': working,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: {} } }),
    }).then((r) => r.text());
    expect(await waitFor(() => f.pending() === 1)).toBe(true);
    // A session listening on its GET stream (headers received = the stream is open and counted).
    const streaming = await rawSession(running.url);
    const listening = new AbortController();
    const stream = await fetch(running.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': streaming, 'mcp-protocol-version': '2025-06-18' },
      signal: listening.signal,
    });
    expect(stream.status).toBe(200);
    expect(running.sessions()).toBe(3);

    running.sweepIdle(Date.now() + 1000);
    expect(running.sessions()).toBe(2);
    expect((await ping(running.url, idle)).status).toBe(404);
    expect((await ping(running.url, streaming)).status).toBe(200);

    f.releaseAll();
    expect(await call).toContain('done');
    running.sweepIdle(Date.now() + 1000);
    expect(running.sessions()).toBe(1); // `working` is idle now; `streaming` keeps its GET stream open
    listening.abort();
  });

  it('a server factory that throws answers 500 and gives its slot back', async () => {
    const f = factory();
    let failures = 2;
    const makeServer = () => {
      if (failures-- > 0) throw new Error('boom');
      return f.makeServer();
    };
    running = await startHttpServer({ port: 0, host: '127.0.0.1', allowedHosts: [], makeServer, log, maxSessions: 1 });
    const post = () =>
      fetch(running!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: INIT,
      });
    for (const expected of [500, 500]) {
      const r = await post();
      expect(r.status).toBe(expected);
      expect(await r.text()).not.toMatch(/boom|at /);
    }
    expect((await post()).status).toBe(200);
    expect(running.sessions()).toBe(1);
  });
});
