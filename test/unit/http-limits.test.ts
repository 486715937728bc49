// The HTTP transport's limits, in process with small numbers: stateless serving means no session table to
// fill, so what remains is what one client can hold open. A client may have only so many requests open
// (429 beyond, other clients unaffected), and a response it never reads, or a stream with nothing to say,
// is closed after a while so its slots come back (review finding B9: held streams locked everyone out with
// no time limit). Requests that fail early (bad JSON, over the size limit, a factory that throws) give
// their slot back at once.
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/log.js';
import { type HttpLimits, type RunningHttpServer, startHttpServer } from '../../src/transports/streamable-http.js';
import { waitFor } from '../helpers/processes.js';

const log = createLogger({ level: 'error', write: () => undefined });

/** A stand-in for the server factory: `wait` returns when the test releases it (after one progress message), `big` returns `n` characters. */
function standIn() {
  const releases: (() => void)[] = [];
  let failures = 0;
  const factory = () => {
    if (failures > 0) {
      failures--;
      throw new Error('boom at /home/user/secret.ts:1:1');
    }
    const server = new McpServer({ name: 'stand-in', version: '1' });
    server.registerTool('wait', { description: 'waits', inputSchema: z.object({}) }, async (_a, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken;
      // A notification first: the response becomes an SSE stream, then nothing but keep-alives.
      if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: 1 } });
      return new Promise((resolve) => releases.push(() => resolve({ content: [{ type: 'text', text: 'done' }] })));
    });
    server.registerTool('big', { description: 'big', inputSchema: z.object({ n: z.number() }) }, ({ n }) => ({
      content: [{ type: 'text', text: 'x'.repeat(n) }],
    }));
    return server;
  };
  return {
    factory,
    failNext: (n: number) => (failures = n),
    releaseAll: () => releases.splice(0).forEach((r) => r()),
    pending: () => releases.length,
  };
}

let running: RunningHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function serve(s: ReturnType<typeof standIn>, limits: Partial<HttpLimits> = {}) {
  running = await startHttpServer({ port: 0, host: '127.0.0.1', allowedHosts: [], factory: s.factory, log, limits });
  return running;
}

const call = (id: number, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });

/** A raw request whose headers and first body bytes arrive, and the rest never: what it was answered, and when it closed. */
async function slowBody(url: string) {
  const u = new URL(url);
  const socket = tcpConnect({ host: u.hostname, port: Number(u.port) });
  await new Promise((r) => socket.once('connect', r));
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise((r) => socket.once('close', r));
  socket.write(
    `POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
      `MCP-Protocol-Version: 2025-06-18\r\nContent-Length: 100000\r\n\r\n{"jsonrpc":`,
  );
  return { answer: () => answer, closed, destroy: () => socket.destroy() };
}

/** A 2025-style stateless POST from `from` (a loopback source address); resolves once the headers arrive. */
function post(url: string, body: string, from = '127.0.0.1') {
  const u = new URL(url);
  return new Promise<{ status: number; headers: Record<string, unknown>; text: Promise<string>; destroy: () => void }>(
    (resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          localAddress: from,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-06-18',
          },
        },
        (res) => {
          const text = new Promise<string>((done) => {
            let t = '';
            res.on('data', (d: Buffer) => (t += d.toString()));
            res.on('end', () => done(t));
            res.on('error', () => done(t));
            res.on('close', () => done(t));
          });
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, destroy: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('HTTP limits per client', () => {
  it('a client with too many open requests gets 429 with Retry-After; another client is served meanwhile', async () => {
    const s = standIn();
    const srv = await serve(s, { perClient: 3 });
    const held = await Promise.all([1, 2, 3].map((i) => post(srv.url, call(i, 'wait', {}, { progressToken: i }))));
    expect(await waitFor(() => s.pending() === 3)).toBe(true);

    const refused = await post(srv.url, call(4, 'big', { n: 1 }));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(await refused.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });

    const other = await post(srv.url, call(5, 'big', { n: 3 }), '127.0.0.2');
    expect(other.status).toBe(200);
    expect(await other.text).toContain('xxx');

    s.releaseAll();
    for (const h of held) expect(await h.text).toContain('done');
    expect(await waitFor(() => srv.open() === 0)).toBe(true);
    expect((await post(srv.url, call(6, 'big', { n: 1 }))).status).toBe(200);
  });

  it('B9: a stream with nothing to say is closed after the idle limit, and its slots come back', async () => {
    const s = standIn();
    // The timer never fires on its own here: sweep() is driven with a clock ahead of time.
    const srv = await serve(s, { perClient: 2, idleMs: 1_000, sweepMs: 3_600_000 });
    // The streams' last messages come after this: a clock 500 ms past it is short of the idle limit however slowly
    // the steps below run (Date.now() + 500 was not, after half a second of a busy machine).
    const opened = Date.now();
    const held = await Promise.all([1, 2].map((i) => post(srv.url, call(i, 'wait', {}, { progressToken: i }))));
    expect(held.map((h) => h.status)).toEqual([200, 200]);
    expect(await waitFor(() => s.pending() === 2)).toBe(true);
    expect((await post(srv.url, call(3, 'big', { n: 1 }))).status).toBe(429);

    srv.sweep(opened + 500); // not idle long enough yet
    expect(srv.open()).toBe(2);
    srv.sweep(Date.now() + 1_500);
    expect(await waitFor(() => srv.open() === 0)).toBe(true);
    for (const h of held) await h.text; // the streams ended
    expect((await post(srv.url, call(4, 'big', { n: 1 }))).status).toBe(200);
  });

  it('B9: a response the client never reads is closed after the unread limit', async () => {
    const s = standIn();
    const srv = await serve(s, { perClient: 2, unreadMs: 300, sweepMs: 50 });
    const u = new URL(srv.url);
    // A raw socket that sends a call for 30 MB and never reads: the server's writes back up.
    const socket = tcpConnect({ host: u.hostname, port: Number(u.port) });
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    const body = call(1, 'big', { n: 30_000_000 });
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
        `MCP-Protocol-Version: 2025-06-18\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const closed = new Promise((r) => socket.once('close', r));
    expect(await waitFor(() => srv.open() === 1, 5_000)).toBe(true);
    expect(await waitFor(() => srv.open() === 0, 10_000)).toBe(true);
    socket.resume();
    await closed;
    expect((await post(srv.url, call(2, 'big', { n: 1 }))).status).toBe(200);
  });

  it('requests that fail early give their slot back: bad JSON, an over-size body, a factory that throws', async () => {
    const s = standIn();
    const srv = await serve(s, { perClient: 2 });
    for (let i = 0; i < 5; i++) {
      const bad = await post(srv.url, '{not json');
      expect(bad.status).toBe(400);
      expect(JSON.parse(await bad.text).error.code).toBe(-32700);
    }
    const huge = await post(srv.url, JSON.stringify({ x: 'y'.repeat(5 * 1024 * 1024) })).catch(() => ({ status: 413 }));
    expect(huge.status).toBe(413);
    s.failNext(3);
    for (let i = 0; i < 3; i++) {
      const failed = await post(srv.url, call(i, 'big', { n: 1 }));
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(await failed.text).not.toMatch(/boom|secret|at \//);
    }
    expect(await waitFor(() => srv.open() === 0)).toBe(true);
    const ok = await post(srv.url, call(9, 'big', { n: 2 }));
    expect(ok.status).toBe(200);
    expect(await ok.text).toContain('xx');
  });

  it('F5: bodies sent slowly hold no open-request slot: other requests from that address are served; each slow body ends in 408', async () => {
    const s = standIn();
    const srv = await serve(s, { perClient: 2, bodyMs: 2_000 });
    // Headers and the first bytes of a body that never comes: more sockets than the client has slots.
    const slow = await Promise.all([1, 2, 3, 4].map(() => slowBody(srv.url)));
    const other = await post(srv.url, call(1, 'big', { n: 3 }));
    expect(other.status).toBe(200);
    expect(await other.text).toContain('xxx');
    // Served while the slow bodies were still held open, not after they timed out.
    expect(slow.map((sock) => sock.answer())).toEqual(['', '', '', '']);
    for (const sock of slow) {
      await sock.closed;
      expect(sock.answer()).toMatch(/^HTTP\/1\.1 408 /);
      expect(sock.answer()).toContain('"Request body not received within 2 s."');
    }
    expect(srv.open()).toBe(0);
  });

  it('F5: bodies being sent are bounded per address on their own (429 beyond), and a body that breaks off frees its place', async () => {
    const s = standIn();
    const srv = await serve(s, { perClientReading: 2, bodyMs: 60_000, bodyGraceMs: 60_000 });
    const sockets = await Promise.all([1, 2].map(() => slowBody(srv.url)));
    await vi.waitFor(async () => expect((await post(srv.url, call(1, 'big', { n: 1 }))).status).toBe(429), { timeout: 5_000 });
    expect((await post(srv.url, call(2, 'big', { n: 1 }), '127.0.0.2')).status).toBe(200);
    sockets.forEach((sock) => sock.destroy());
    await vi.waitFor(async () => expect((await post(srv.url, call(3, 'big', { n: 1 }))).status).toBe(200), { timeout: 5_000 });
  });

  it('F5: slow bodies cannot lock out the other clients of their address: at the limit, the body arriving longest gives way (408)', async () => {
    const s = standIn();
    // A grace of 1 s: the newcomer below must arrive within it, which a busy machine did not always do within 300 ms.
    const srv = await serve(s, { perClientReading: 2, bodyMs: 60_000, bodyGraceMs: 1_000 });
    const first = await slowBody(srv.url);
    await new Promise((r) => setTimeout(r, 50));
    const second = await slowBody(srv.url);
    // Both are within their grace: a newcomer waits.
    expect((await post(srv.url, call(1, 'big', { n: 1 }))).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1_100));
    // Past it, the longest-arriving body gives way and the newcomer is served; the other slow body is untouched.
    const served = await post(srv.url, call(2, 'big', { n: 2 }));
    expect(served.status).toBe(200);
    expect(await served.text).toContain('xx');
    await first.closed;
    expect(first.answer()).toMatch(/^HTTP\/1\.1 408 /);
    expect(first.answer()).toContain('this one had waited longest');
    expect(second.answer()).toBe('');
    // A client holding the limit in slow bodies, reopening each one that gives way, still cannot keep others out (the one
    // that gives way was opened two waits of 600 ms ago: past the grace).
    for (let i = 3; i < 8; i++) {
      await slowBody(srv.url);
      await new Promise((r) => setTimeout(r, 600));
      expect((await post(srv.url, call(i, 'big', { n: 1 }))).status).toBe(200);
    }
  });
});
