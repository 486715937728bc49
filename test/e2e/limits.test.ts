// Limits that fail loudly, over raw stdio (every byte the server writes is seen): each finding of the
// hostile review that concerned them is a test named after it, and fails if the hole reopens.
//   B4: a line over the 10 MiB stdio limit killed the server silently (exit 0) or left it alive but deaf.
//   B5: error results echoed a 5 MB argument name or tool name whole, far beyond --max-result-chars.
//   B6: a proxy body nested 10,000 levels deep was an INTERNAL_ERROR whose stack reached the client
//       in a log notification.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type JsonRpcMessage, RawSession } from '../helpers/raw.js';
import { dumpDb, tempDb } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/processes.js';

const dbs: { cleanup: () => void }[] = [];
const sessions: RawSession[] = [];
afterAll(async () => {
  for (const s of sessions) if (s.child.exitCode === null) await s.close();
  dbs.forEach((d) => d.cleanup());
});

const dbOf = new Map<RawSession, string>();

describe.each(BACKENDS)('limits on $name', (backend) => {
  async function start(args: string[] = []): Promise<RawSession> {
    const db = tempDb('limits-');
    dbs.push(db);
    const s = RawSession.start({ db: db.path, backend, args });
    sessions.push(s);
    dbOf.set(s, db.path);
    await s.initialize();
    return s;
  }

  /** A hash of every row of every sandbox table: equal before and after means nothing was written. */
  const storeHash = (s: RawSession) =>
    createHash('sha256')
      .update(JSON.stringify(dumpDb(dbOf.get(s)!)))
      .digest('hex');

  const MiB = 1024 * 1024;
  type ToolResultMessage = JsonRpcMessage & {
    result?: { isError?: boolean; content: { text: string }[]; structuredContent: Record<string, unknown> };
  };

  /** No stack frame, no file path, no stack field: what a client may never see. */
  const STACKISH = /\n\s+at |\bat \S+ \(|(?:file:\/\/|\/home\/|\/work\/|\/tmp\/|node_modules)|\.(?:ts|js|mjs):\d+|"stack"/;

  describe('B4: stdio lines over the limit', () => {
    it('B4: a line over 10 MiB is answered with a JSON-RPC error naming its id, and the server keeps serving', async () => {
      const s = await start();
      await s.callTool('onecrm_list_connections', {}); // seeds the store
      const before = storeHash(s);
      // id first (how most clients write it)…
      const idFirst = s.request('ping', { x: 'a'.repeat(10.5 * MiB) }, 30_000);
      // …and id last (how the SDK v2 client writes it), on a tools/call an agent could ask for: an 11 MiB proxy body.
      const args = { method: 'POST', path: '/data/Note', body: { data: { name: 'b'.repeat(11 * MiB) } } };
      s.child.stdin!.write(
        `{"method":"tools/call","params":${JSON.stringify({ name: 'onecrm_proxy_request', arguments: args })},"jsonrpc":"2.0","id":"big-last"}\n`,
      );
      const lastAnswer = new Promise<JsonRpcMessage>((resolve) => {
        const timer = setInterval(() => {
          const line = s.lines.find((l) => l.includes('"big-last"'));
          if (line) {
            clearInterval(timer);
            resolve(JSON.parse(line) as JsonRpcMessage);
          }
        }, 50);
      });
      const first = await idFirst;
      expect(first.error?.code).toBe(-32600);
      expect(first.error?.message).toMatch(/over this server's 10 MiB limit for one stdio message; it was dropped/);
      const last = await lastAnswer;
      expect(last.error?.code).toBe(-32600);
      // Still serving: a ping and a real tool call.
      expect((await s.request('ping')).result).toEqual({});
      const listed = (await s.callTool('onecrm_list_connections', {})) as ToolResultMessage;
      expect(listed.result?.isError).toBeFalsy();
      expect(s.child.exitCode).toBeNull();
      expect(s.stderr).toMatch(/dropped a message of \d+ bytes \(over the 10 MiB line limit\); still serving/);
      expect(s.badLines).toEqual([]);
      expect(storeHash(s)).toBe(before); // the dropped POST wrote nothing
    });

    it('B4: a payload of exactly 10 MiB (the old alive-but-deaf case) does not wedge the server', async () => {
      const s = await start();
      const exact = await s.request('ping', { x: 'c'.repeat(10 * MiB) }, 30_000);
      expect(exact.error?.code).toBe(-32600); // the line itself is 10 MiB + the envelope
      expect((await s.request('ping')).result).toEqual({});
      const justUnder = await s.request('ping', { x: 'd'.repeat(9 * MiB) }, 30_000);
      expect(justUnder.result).toEqual({});
    });

    it('B4: when stdout breaks, the server exits non-zero with one line saying why (never exit 0 silently)', async () => {
      const s = await start();
      s.child.stdout!.destroy();
      s.send({ id: 99, method: 'ping' });
      s.send({ id: 100, method: 'tools/list' });
      // closed, not exited: the line saying why is read after the exit, and may still be in the pipe at the exit.
      const exit = await Promise.race([s.closed, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      expect(exit).not.toBeNull();
      expect(exit!.code).not.toBe(0);
      expect(s.stderr).toMatch(/error: stopping: stdout failed/);
    });

    it('B4: closing stdin is the normal way to stop: exit 0', async () => {
      const s = await start();
      expect((await s.close()).code).toBe(0);
    });
  });

  describe('B5: error results within --max-result-chars', () => {
    it.each([20_000, 2_000])('B5: a 5 MB argument name and a 5 MB tool name come back cut, within a budget of %i', async (budget) => {
      const s = await start([`--max-result-chars=${budget}`]);
      const badArg = (await s.callTool('amocrm_list_connections', { ['k'.repeat(5 * MiB)]: 1 }, 30_000)) as ToolResultMessage;
      expect(badArg.result?.isError).toBe(true);
      expect((badArg.result?.structuredContent.error as { code: string }).code).toBe('INVALID_INPUT');
      expect(badArg.result!.content[0].text.length).toBeLessThanOrEqual(budget);
      expect(JSON.stringify(badArg.result!.structuredContent).length).toBeLessThanOrEqual(budget);
      expect(badArg.result!.content[0].text).toMatch(/more characters cut/);

      const badTool = (await s.callTool('t'.repeat(5 * MiB), {}, 30_000)) as ToolResultMessage;
      expect(badTool.result?.isError).toBe(true);
      expect(badTool.result!.content[0].text).toMatch(
        /^NOT_FOUND: No tool named "t+… \(\d+ more characters cut\)" on this server\. Next: Call one of: amocrm_list_connections/,
      );
      expect(badTool.result!.content[0].text.length).toBeLessThanOrEqual(budget);
      // The whole answer, both copies (text and structuredContent) and the envelope, stays near the budget.
      const lines = s.lines.filter((l) => l.length > 0);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(2 * budget + 2_000);
    });

    it('B5/N8: an unknown tool is a coded NOT_FOUND result naming the tools that exist, not a protocol error', async () => {
      const s = await start();
      const r = (await s.callTool('amocrm_delete_everything', {})) as ToolResultMessage;
      expect(r.error).toBeUndefined();
      expect(r.result?.content[0].text).toMatch(
        /^NOT_FOUND: No tool named "amocrm_delete_everything" on this server\. Next: Call one of: /,
      );
      expect(r.result?.structuredContent).toMatchObject({ error: { code: 'NOT_FOUND', retryable: false } });
    });

    it('N8: tools/call with missing or ill-typed params is -32602 over stdio too', async () => {
      const s = await start();
      for (const params of [undefined, { name: 5 }, { name: 'amocrm_list_connections', arguments: 'x' }]) {
        const r = await s.request('tools/call', params as Record<string, unknown>);
        expect(r.error?.code).toBe(-32602);
        expect(r.error?.message).toMatch(/^Invalid params for tools\/call: params/);
      }
    });
  });

  describe('B6: deep input and stacks', () => {
    /** JSON text of an object nested `levels` deep (built as text: JSON.stringify itself overflows at this depth). */
    const nested = (levels: number) => `${'{"a":'.repeat(levels)}"leaf"${'}'.repeat(levels)}`;

    it('B6: a proxy body nested 10,000 levels is INVALID_INPUT before anything serialises it; no log line carries a stack or a path', async () => {
      const s = await start(['--log-level=debug', '--confirm=never']);
      await s.request('logging/setLevel', { level: 'debug' });
      await s.callTool('onecrm_list_connections', {}); // seeds the store
      const before = storeHash(s);
      for (const method of ['POST', 'GET', 'DELETE']) {
        const r = (await s.requestLine(
          (id) =>
            `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"onecrm_proxy_request","arguments":{"method":"${method}","path":"/data/Account","body":${nested(10_000)}}}}`,
        )) as ToolResultMessage;
        expect(r.result?.isError, method).toBe(true);
        const error = r.result!.structuredContent.error as { code: string; message: string };
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toMatch(/nest deeper than 64 levels \(at body\.a\.a\.…\.a\)/);
      }
      // Something that does log at debug, so the check below reads real notifications.
      await s.callTool('onecrm_list_connections', { refresh: true });
      expect(await waitFor(() => s.notifications.some((n) => n.method === 'notifications/message'))).toBe(true);
      expect(storeHash(s)).toBe(before); // refused before the backend, even with --confirm never
      for (const n of s.notifications) expect(JSON.stringify(n.params)).not.toMatch(STACKISH);
      expect(s.lines.join('\n')).not.toMatch(STACKISH);
      expect(s.child.exitCode).toBeNull();
    });
  });
});
