// The one wrapper every tool call goes through (src/tools/registry.ts): a bug inside a handler (an
// unexpected exception, not a ToolError) becomes an INTERNAL_ERROR result without a stack trace, the
// details go to the log (stderr only: a client's log notifications carry the code and a short message,
// never a stack or a path), and the server keeps serving every other call. The server factory with a
// shared FakeMembraneClient, served in process to an SDK Client of each protocol era.
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Connection, MembraneClient, ProxyResponse } from '../../src/membrane/membrane-client.js';
import { createServerFactory } from '../../src/server.js';
import { FAKE_CONNECTIONS, FakeMembraneClient } from '../helpers/fake-membrane-client.js';
import { connectInProcess } from '../helpers/in-process.js';
import { type Era, logLevelMeta } from '../helpers/mcp.js';

/** A client whose answers do what the test says: a value, or an exception thrown from inside. */
function fakeClient(behaviour: { listConnections?: () => Connection[]; request?: () => ProxyResponse }): FakeMembraneClient {
  return new FakeMembraneClient({ answer: behaviour });
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

let era: Era = 'legacy';

/** Log notifications the client received, as JSON text. */
async function connect(client: MembraneClient, cache = false): Promise<{ mcp: Client; logLines: string[]; notified: string[] }> {
  const logLines: string[] = [];
  const notified: string[] = [];
  const log = createLogger({ level: 'info', write: (line) => logLines.push(line) });
  const settings = SettingsSchema.parse({ cache });
  const { factory } = createServerFactory({ settings, client, log, version: '0.0.0-test' });
  const served = await connectInProcess(factory, {
    era,
    setup: (c) => c.setNotificationHandler('notifications/message', (n) => void notified.push(JSON.stringify(n.params))),
  });
  closers.push(() => served.close());
  return { mcp: served.client, logLines, notified };
}

type Result = CallToolResult & {
  structuredContent?: {
    backend?: string;
    connector?: string;
    error?: { code: string; message: string; retryable: boolean; nextStep?: string };
  };
};

async function call(mcp: Client, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  // A 2026 request asks for log lines itself (there is no logging/setLevel in that era).
  return (await mcp.callTool({ name, arguments: args, ...(era === 'modern' ? { _meta: logLevelMeta('debug') } : {}) })) as Result;
}

const textOf = (r: Result) => (r.content[0] as { text: string }).text;

/** The INTERNAL_ERROR shape: code, text format, no stack trace or source paths. */
function expectInternal(r: Result, connector: string): void {
  expect(r.isError).toBe(true);
  expect(r.structuredContent?.error?.code).toBe('INTERNAL_ERROR');
  expect(r.structuredContent?.error?.retryable).toBe(false);
  expect(r.structuredContent?.connector).toBe(connector);
  expect(r.structuredContent?.backend).toBe('sandbox-cli');
  const text = textOf(r);
  expect(text.startsWith('INTERNAL_ERROR: ')).toBe(true);
  expect(text).toMatch(/Next: /);
  expect(text).not.toMatch(/\n\s*at /);
  expect(text).not.toMatch(/\.(ts|js):\d+/);
  expect(JSON.stringify(r.structuredContent)).not.toMatch(/\n\s*at |\.(ts|js):\d+:\d+/);
}

describe.each<Era>(['legacy', 'modern'])('tool call wrapper (%s client)', (clientEra) => {
  beforeEach(() => {
    era = clientEra;
  });

  it('a TypeError inside one handler becomes INTERNAL_ERROR; the same tool and the others keep working', async () => {
    let broken = true;
    const client = fakeClient({
      listConnections: () => {
        if (broken) {
          const missing = undefined as unknown as { id: string };
          return [{ id: missing.id } as Connection]; // TypeError: Cannot read properties of undefined
        }
        return [...FAKE_CONNECTIONS];
      },
    });
    const { mcp, logLines, notified } = await connect(client);

    const first = await call(mcp, 'onecrm_list_connections');
    expectInternal(first, '1crm');
    expect(textOf(first)).toMatch(/Cannot read properties of undefined/);
    // B6: the stack goes to the log (stderr), not to the agent, neither in the result nor in a log notification.
    expect(logLines.join('')).toMatch(/error: onecrm_list_connections → INTERNAL_ERROR: .*"stack":"TypeError: Cannot read properties/);
    expect(logLines.join('')).toMatch(/\.(ts|js):\d+/);
    const errorLine = notified.find((n) => n.includes('INTERNAL_ERROR'));
    expect(errorLine).toBeDefined();
    expect(errorLine).toMatch(/"level":"error"/);
    expect(notified.join('\n')).not.toMatch(/\n\s*at |\bat \S+ \(|\.(ts|js):\d+|"stack"|\/home\/|\/work\/|file:\/\//);

    broken = false;
    const again = await call(mcp, 'onecrm_list_connections');
    expect(again.isError).toBeFalsy();
    expect((again.structuredContent as { connections: { id: string }[] }).connections.map((c) => c.id)).toEqual(['conn-1crm']);
    const other = await call(mcp, 'amocrm_proxy_request', { path: '/api/v4/leads' });
    expect(other.isError).toBeFalsy();
    expect((other.structuredContent as { status: number }).status).toBe(200);
    // The server itself is intact.
    expect((await mcp.listTools()).tools).toHaveLength(10);
  });

  it('a plain Error with a multi-line message thrown synchronously keeps only its first line', async () => {
    let calls = 0;
    const client = fakeClient({
      request: () => {
        calls++;
        if (calls === 1) {
          const e = new Error('boom in the proxy\n    at secretFunction (/home/user/src/secret.ts:10:5)');
          throw e;
        }
        return { status: 201, headers: {}, body: { id: 7 } };
      },
    });
    const { mcp } = await connect(client);
    const bad = await call(mcp, 'amocrm_proxy_request', { path: '/api/v4/leads', connectionId: 'conn-amo' });
    expectInternal(bad, 'amocrm');
    expect(textOf(bad)).toMatch(/^INTERNAL_ERROR: Unexpected server error: boom in the proxy\./);
    expect(textOf(bad)).not.toMatch(/secretFunction|secret\.ts/);
    const good = await call(mcp, 'amocrm_proxy_request', { path: '/api/v4/leads', connectionId: 'conn-amo' });
    expect(good.isError).toBeFalsy();
    expect((good.structuredContent as { status: number }).status).toBe(201);
    expect(client.callsOf('request')).toHaveLength(2);
  });

  it('a thrown non-Error value and a rejected promise are INTERNAL_ERROR too, concurrent calls unaffected', async () => {
    let mode: 'string' | 'reject' | 'ok' = 'ok';
    const client = fakeClient({
      listConnections: () => {
        if (mode === 'string') throw 'not an Error object';
        if (mode === 'reject') return Promise.reject(new RangeError('Invalid array length')) as unknown as Connection[];
        return [...FAKE_CONNECTIONS];
      },
    });
    // With the cache on: the side-by-side call checks its connectionId against the cached list.
    const { mcp } = await connect(client, true);
    expect((await call(mcp, 'amocrm_list_connections')).isError).toBeFalsy();
    mode = 'string';
    const thrownString = await call(mcp, 'amocrm_list_connections', { refresh: true });
    expectInternal(thrownString, 'amocrm');
    expect(textOf(thrownString)).toMatch(/not an Error object/);

    mode = 'reject';
    const [rejected, sideBySide] = await Promise.all([
      call(mcp, 'amocrm_list_connections', { refresh: true }),
      call(mcp, 'onecrm_proxy_request', { path: '/data/Account', connectionId: 'conn-1crm' }),
    ]);
    expectInternal(rejected, 'amocrm');
    expect(textOf(rejected)).toMatch(/Invalid array length/);
    expect(sideBySide.isError, textOf(sideBySide)).toBeFalsy();

    mode = 'ok';
    expect((await call(mcp, 'amocrm_list_connections')).isError).toBeFalsy();
  });
});
