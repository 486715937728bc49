// CliMembraneClient over a fake runner: connection-list paging by cursor, and the long-poll budget of action get.
import { describe, expect, it } from 'vitest';
import { CliMembraneClient } from '../../src/membrane/cli-client.js';
import { createLogger } from '../../src/log.js';
import type { CliRunner, ProcessResult, RunRequest } from '../../src/membrane/runner.js';

function clientWith(answer: (req: RunRequest) => string) {
  const requests: RunRequest[] = [];
  const runner = {
    run: async (req: RunRequest): Promise<ProcessResult> => {
      requests.push(req);
      return { exitCode: 0, stdout: answer(req), stderr: '', durationMs: 1 };
    },
    close: async () => undefined,
  } as unknown as CliRunner;
  const client = new CliMembraneClient({ runner, backend: 'membrane', commandName: 'membrane', log: createLogger({ level: 'error', write: () => undefined }), defaultTimeoutMs: 60_000 });
  return { client, requests };
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
