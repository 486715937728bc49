// Concurrent calls with a cold cache share one `connection list` / `action get` instead of each running one;
// a caller that cancels stops waiting without failing the others.
import { describe, expect, it } from 'vitest';
import { connectorFor } from '../../src/connectors.js';
import { createLogger } from '../../src/log.js';
import type { Action, Connection, MembraneClient } from '../../src/membrane/membrane-client.js';
import { ActionMetadata } from '../../src/lookups/action-metadata.js';
import { ConnectionDirectory } from '../../src/lookups/connection-directory.js';

const log = createLogger({ level: 'error', write: () => undefined });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeClient() {
  const calls = { list: 0, get: 0 };
  const client = {
    backend: 'sandbox-cli',
    async listConnections(): Promise<Connection[]> {
      calls.list++;
      await delay(50);
      return [{ id: 'c1', name: 'AmoCRM', state: 'READY', disconnected: false, connectorKey: 'amocrm' }];
    },
    async getAction(q: { id: string }): Promise<Action> {
      calls.get++;
      await delay(50);
      return { id: 'a1', key: q.id, name: 'List leads', state: 'READY' };
    },
  } as unknown as MembraneClient;
  return { client, calls };
}

describe('shared lookups', () => {
  it('five concurrent connection lookups run one `connection list`', async () => {
    const { client, calls } = fakeClient();
    const dir = new ConnectionDirectory(client, {}, log, true);
    const lists = await Promise.all(Array.from({ length: 5 }, () => dir.all(new AbortController().signal)));
    expect(calls.list).toBe(1);
    expect(lists.every((l) => l[0].id === 'c1')).toBe(true);
    await dir.all(new AbortController().signal);
    expect(calls.list).toBe(1); // then the cache answers
    expect(dir.ofConnector(connectorFor('amocrm'), lists[0])).toHaveLength(1);
  });

  it('a cancelled caller gets CANCELLED while the others still get the list', async () => {
    const { client, calls } = fakeClient();
    const dir = new ConnectionDirectory(client, {}, log, true);
    const cancel = new AbortController();
    const a = dir.all(cancel.signal);
    const b = dir.all(new AbortController().signal);
    cancel.abort();
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await b)[0].id).toBe('c1');
    expect(calls.list).toBe(1);
  });

  it('concurrent metadata lookups of one action run one `action get`', async () => {
    const { client, calls } = fakeClient();
    const catalog = new ActionMetadata(client, log, true);
    const actions = await Promise.all(Array.from({ length: 4 }, () => catalog.get('c1', 'list-leads', new AbortController().signal)));
    expect(calls.get).toBe(1);
    expect(actions.every((a) => a.id === 'a1')).toBe(true);
  });
});

describe('cancelling a shared lookup', () => {
  it('stops the shared CLI call (its signal aborts) only when every caller has cancelled', async () => {
    const signals: AbortSignal[] = [];
    const client = {
      backend: 'sandbox-cli',
      listConnections: (opts: { signal: AbortSignal }) => {
        signals.push(opts.signal);
        return new Promise<Connection[]>((_, reject) => opts.signal.addEventListener('abort', () => reject(new Error('killed'))));
      },
    } as unknown as MembraneClient;
    const dir = new ConnectionDirectory(client, {}, log, true);
    const first = new AbortController();
    const second = new AbortController();
    const a = dir.all(first.signal);
    const b = dir.all(second.signal);
    first.abort();
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(signals[0].aborted).toBe(false); // the second caller still waits on it
    second.abort();
    await expect(b).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(signals[0].aborted).toBe(true);
    // A new caller starts a fresh call rather than joining the cancelled one.
    void dir.all(new AbortController().signal).catch(() => undefined);
    expect(signals).toHaveLength(2);
  });
});
