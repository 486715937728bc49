// Concurrent calls with a cold cache share one `connection list` / `action get` instead of each running one;
// a caller that cancels stops waiting without failing the others.
import { describe, expect, it } from 'vitest';
import { connectorFor } from '../../src/connectors.js';
import { createLogger } from '../../src/log.js';
import type { Action, Connection } from '../../src/membrane/membrane-client.js';
import { ActionMetadata } from '../../src/lookups/action-metadata.js';
import { ConnectionDirectory } from '../../src/lookups/connection-directory.js';
import { FakeMembraneClient, fakeConnection } from '../helpers/fake-membrane-client.js';

const log = createLogger({ level: 'error', write: () => undefined });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A backend that takes 50 ms to answer the connection list and an `action get`. */
function slowClient(): FakeMembraneClient {
  return new FakeMembraneClient({
    answer: {
      listConnections: async () => {
        await delay(50);
        return [fakeConnection('c1', { name: 'AmoCRM', connectorKey: 'amocrm' })];
      },
      getAction: async (q) => {
        await delay(50);
        return { id: 'a1', key: q.id, name: 'List leads', state: 'READY' };
      },
    },
  });
}

describe('shared lookups', () => {
  it('five concurrent connection lookups run one `connection list`', async () => {
    const client = slowClient();
    const dir = new ConnectionDirectory(client, {}, log, true);
    const lists = await Promise.all(Array.from({ length: 5 }, () => dir.all(new AbortController().signal)));
    expect(client.callsOf('listConnections')).toHaveLength(1);
    expect(lists.every((l) => l[0].id === 'c1')).toBe(true);
    await dir.all(new AbortController().signal);
    expect(client.callsOf('listConnections')).toHaveLength(1); // then the cache answers
    expect(dir.ofConnector(connectorFor('amocrm'), lists[0])).toHaveLength(1);
  });

  it('a cancelled caller gets CANCELLED while the others still get the list', async () => {
    const client = slowClient();
    const dir = new ConnectionDirectory(client, {}, log, true);
    const cancel = new AbortController();
    const a = dir.all(cancel.signal);
    const b = dir.all(new AbortController().signal);
    cancel.abort();
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await b)[0].id).toBe('c1');
    expect(client.callsOf('listConnections')).toHaveLength(1);
  });

  it('concurrent metadata lookups of one action run one `action get`', async () => {
    const client = slowClient();
    const catalog = new ActionMetadata(client, log, true);
    const actions = await Promise.all(Array.from({ length: 4 }, () => catalog.get('c1', 'list-leads', new AbortController().signal)));
    expect(client.callsOf('getAction')).toHaveLength(1);
    expect(actions.every((a) => a.id === 'a1')).toBe(true);
  });
});

describe('cancelling a shared lookup', () => {
  it('stops the shared CLI call (its signal aborts) only when every caller has cancelled', async () => {
    const client = new FakeMembraneClient({
      answer: {
        listConnections: (_, opts) =>
          new Promise<Connection[]>((_resolve, reject) => opts.signal!.addEventListener('abort', () => reject(new Error('killed')))),
      },
    });
    const signals = () => client.callsOf('listConnections').map((c) => c.opts.signal!);
    const dir = new ConnectionDirectory(client, {}, log, true);
    const first = new AbortController();
    const second = new AbortController();
    const a = dir.all(first.signal);
    const b = dir.all(second.signal);
    first.abort();
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(signals()[0].aborted).toBe(false); // the second caller still waits on it
    second.abort();
    await expect(b).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(signals()[0].aborted).toBe(true);
    // A new caller starts a fresh call rather than joining the cancelled one.
    void dir.all(new AbortController().signal).catch(() => undefined);
    expect(signals()).toHaveLength(2);
  });
});

describe('B1: action identity in the shared metadata cache', () => {
  const GET_TASK = { id: '9798de14abb9a948a6589e74', key: 'get-task', name: 'Get task', type: 'find-data-record-by-id', state: 'READY' };
  // Built by an agent with a key equal to get-task's id; its type writes.
  const HIJACK = { id: '029afc40aa00aa00aa00aa00', key: GET_TASK.id, name: 'Complete a task', type: 'update-data-record', state: 'READY' };

  /** A backend that resolves selectors like Membrane: by id first, then by key (the fake's own lookup). */
  function backend(actions: Action[]) {
    const client = new FakeMembraneClient({ actions });
    return { client, asked: () => client.callsOf('getAction').map((c) => c.q.id) };
  }

  it('an action whose key equals another action id never answers for that id, even after it was remembered', async () => {
    const { client, asked } = backend([GET_TASK, HIJACK]);
    const cache = new ActionMetadata(client, log, true);
    cache.remember('c1', [HIJACK]); // what create_action does with the action it built
    const resolved = await cache.get('c1', GET_TASK.id, new AbortController().signal);
    expect(resolved.key).toBe('get-task');
    expect(asked()).toEqual([GET_TASK.id]); // the id-shaped selector went to the backend
    // And from then on the cache answers by id, still with get-task.
    expect((await cache.get('c1', GET_TASK.id, new AbortController().signal)).key).toBe('get-task');
    expect((await cache.get('c1', HIJACK.id, new AbortController().signal)).name).toBe('Complete a task');
  });

  it('a key answers from the cache only while the action cached under its id still has that key', async () => {
    const renamed = { ...GET_TASK, key: 'get-task-v2' };
    const { client, asked } = backend([renamed]);
    const cache = new ActionMetadata(client, log, true);
    cache.remember('c1', [GET_TASK]);
    expect((await cache.get('c1', 'get-task', new AbortController().signal)).id).toBe(GET_TASK.id);
    expect(asked()).toEqual([]);
    cache.remember('c1', [renamed]); // a fresher copy under the same id, with another key
    await expect(cache.get('c1', 'get-task', new AbortController().signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(asked()).toEqual(['get-task']);
  });

  it('an entry is cached under its own id and key, never under the selector the caller used', async () => {
    const { client } = backend([GET_TASK]);
    const cache = new ActionMetadata(client, log, true);
    await cache.get('c1', 'get-task', new AbortController().signal);
    // Another connection's lookup is not answered from c1's entries.
    const other = backend([HIJACK]);
    const otherCache = new ActionMetadata(other.client, log, true);
    otherCache.remember('c1', [GET_TASK]);
    expect((await otherCache.get('c2', GET_TASK.id, new AbortController().signal)).key).toBe(GET_TASK.id);
    expect(other.asked()).toEqual([GET_TASK.id]);
  });
});
