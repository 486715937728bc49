// CliMembraneClient over a fake runner, inside the shared call-safety decorator as the server builds it:
// connection-list paging by cursor, the long-poll budget of action get, and write failures.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { withCallSafety } from '../../src/membrane/call-safety.js';
import { CliMembraneClient } from '../../src/membrane/cli/cli-client.js';
import { createLogger } from '../../src/log.js';
import type { CliRunner, ProcessResult, RunRequest } from '../../src/membrane/cli/cli-runner.js';

function clientWith(answer: (req: RunRequest) => string) {
  const requests: RunRequest[] = [];
  const runner = {
    run: async (req: RunRequest): Promise<ProcessResult> => {
      requests.push(req);
      return { exitCode: 0, stdout: answer(req), stderr: '', durationMs: 1 };
    },
    close: async () => undefined,
  } as unknown as CliRunner;
  const log = createLogger({ level: 'error', write: () => undefined });
  const cli = new CliMembraneClient({ runner, backend: 'membrane-cli', commandName: 'membrane', log, defaultTimeoutMs: 60_000 });
  return { client: withCallSafety(cli, { log, defaultTimeoutMs: 60_000 }), requests };
}

describe('CliMembraneClient', () => {
  it('follows connection-list cursors until the last page', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [{ id: 'c1', name: 'A', state: 'READY' }], cursor: 'p2' },
      p2: { items: [{ id: 'c2', name: 'B', state: 'READY' }], cursor: 'p3' },
      p3: { items: [{ id: 'c3', name: 'C', state: 'READY' }] },
    };
    const { client, requests } = clientWith((req) => {
      const cursor = req.args.find((a) => a.startsWith('--cursor='))?.slice('--cursor='.length) ?? '';
      return JSON.stringify(pages[cursor]);
    });
    const list = await client.listConnections();
    expect(list.map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
    expect(requests.map((r) => r.args)).toEqual([
      ['connection', 'list', '--json'],
      ['connection', 'list', '--cursor=p2', '--json'],
      ['connection', 'list', '--cursor=p3', '--json'],
    ]);
  });

  it('stops when a cursor repeats (a CLI that ignores --cursor cannot loop it forever)', async () => {
    const { client, requests } = clientWith(() => JSON.stringify({ items: [{ id: 'c1', name: 'A' }], cursor: 'same' }));
    expect((await client.listConnections()).length).toBe(2);
    expect(requests).toHaveLength(2);
  });

  it('clamps the action get --wait budget to the 60 s the API allows, plus start-up time', async () => {
    const { client, requests } = clientWith(() => JSON.stringify({ id: 'a1', name: 'A', state: 'READY' }));
    await client.getAction({ id: 'a1', connectionId: 'c1', wait: true, timeoutSeconds: 3600 });
    expect(requests[0].args).toContain('--timeout=60');
    expect(requests[0].timeoutMs).toBeLessThanOrEqual(75_000);
  });
});

describe('failures the CLI reports with exit code 0, and writes that may have happened', () => {
  it('a proxied status >= 400 is UPSTREAM_ERROR even when the CLI exits 0', async () => {
    const { client } = clientWith(() => JSON.stringify({ status: 404, headers: {}, body: { message: 'Not found' } }));
    await expect(client.request({ connectionId: 'c1', path: '/x', method: 'GET' })).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      details: { status: 404 },
    });
  });

  it('an error envelope from `action run` with exit 0 is an error, not an output', async () => {
    const { client } = clientWith(() =>
      JSON.stringify({ type: 'connection', key: 'connection_is_defunct', message: 'Reconnect', data: { uiUrl: 'https://x/reconnect' } }),
    );
    await expect(client.runAction({ actionId: 'a1', connectionId: 'c1' })).rejects.toMatchObject({
      code: 'CONNECTION_NEEDS_USER_ACTION',
      uiUrl: 'https://x/reconnect',
    });
  });

  it('a write that timed out says it may have been applied and is not retryable; one that never started stays retryable', async () => {
    const runner = {
      run: async (req: RunRequest): Promise<ProcessResult> => {
        throw new ToolError('TIMEOUT', 'timed out', { retryable: true, details: req.args[1] === 'run' ? undefined : { started: false } });
      },
      close: async () => undefined,
    } as unknown as CliRunner;
    const log = createLogger({ level: 'error', write: () => undefined });
    const cli = new CliMembraneClient({ runner, backend: 'membrane-cli', commandName: 'membrane', log, defaultTimeoutMs: 60_000 });
    const client = withCallSafety(cli, { log, defaultTimeoutMs: 60_000 });
    const ran = (await client.runAction({ actionId: 'a1', connectionId: 'c1' }).catch((e: ToolError) => e)) as ToolError;
    expect(ran).toMatchObject({ code: 'TIMEOUT', retryable: false });
    expect(ran.nextStep).toMatch(/may have been applied/);
    const queued = await client.createAction({ description: 'x y z', connectionId: 'c1' }).catch((e: ToolError) => e);
    expect(queued).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });
});
