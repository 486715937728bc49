// The one fake MembraneClient of the unit tests: answers from data the test sets (connections, actions),
// or from a function the test gives per operation (run results, proxy responses, builds that finish), throws
// the errors a test queues, and records every call with its options (the abort signal, the timeout, the
// read/write kind), so a test can check what reached the backend and what did not.
import { ToolError } from '../../src/errors.js';
import type {
  AccessCheck,
  Action,
  Backend,
  BackendInfo,
  CallOptions,
  Connection,
  MembraneClient,
  ProxyRequest,
  ProxyResponse,
  RunResult,
  UserActionHints,
} from '../../src/membrane/membrane-client.js';

/** The operations a test can script, fail and count. */
export type FakeOperation =
  'listConnections' | 'listActions' | 'getAction' | 'createAction' | 'runAction' | 'request' | 'describe' | 'checkAccess';

/** What each operation is asked (listConnections, describe and checkAccess are asked nothing). */
export interface FakeQueries {
  listConnections: undefined;
  describe: undefined;
  checkAccess: undefined;
  listActions: Parameters<MembraneClient['listActions']>[0];
  getAction: Parameters<MembraneClient['getAction']>[0];
  createAction: Parameters<MembraneClient['createAction']>[0];
  runAction: Parameters<MembraneClient['runAction']>[0];
  request: ProxyRequest;
}

interface FakeAnswers {
  listConnections: Connection[];
  describe: BackendInfo;
  checkAccess: AccessCheck;
  listActions: Action[];
  getAction: Action;
  createAction: Action;
  runAction: RunResult;
  request: ProxyResponse;
}

/**
 * A scripted answer: a value, or a promise of one. One that throws does so synchronously, before any promise
 * exists, as a broken backend might (the defaults and failNext reject, as a working backend does).
 */
export type FakeAnswer<K extends FakeOperation> = (q: FakeQueries[K], opts: CallOptions) => FakeAnswers[K] | Promise<FakeAnswers[K]>;

export interface FakeCall<K extends FakeOperation = FakeOperation> {
  op: K;
  q: FakeQueries[K];
  opts: CallOptions;
}

export interface FakeMembraneOptions {
  backend?: Backend;
  /** Default: one READY AmoCRM connection (conn-amo) and one READY 1CRM connection (conn-1crm). */
  connections?: Connection[];
  /** The actions the backend knows (default: FAKE_ACTIONS). */
  actions?: Action[];
  hints?: UserActionHints;
  /** Answers that replace the data-driven defaults, per operation. */
  answer?: { [K in FakeOperation]?: FakeAnswer<K> };
}

export function fakeConnection(id: string, over: Partial<Connection> = {}): Connection {
  return { id, name: id, state: 'READY', disconnected: false, ...over };
}

export const FAKE_CONNECTIONS: readonly Connection[] = [
  fakeConnection('conn-amo', { name: 'AmoCRM', connectorKey: 'amocrm' }),
  fakeConnection('conn-1crm', { name: '1CRM', connectorKey: '1crm' }),
];

/** An action of `type` with the key given (id `act-<key>`, a one-field input schema unless the test gives one). */
export function fakeAction(key: string, type: string | undefined, over: Partial<Action> = {}): Action {
  return {
    id: `act-${key}`,
    key,
    name: key.replace(/-/g, ' '),
    description: `${key} in the CRM.`,
    ...(type ? { type } : {}),
    state: 'READY',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: true },
    ...over,
  };
}

/** A read, a write, a delete and a get: one of each kind the policy tells apart. */
export const FAKE_ACTIONS: readonly Action[] = [
  fakeAction('list-leads', 'list-data-records', { score: 0.9 }),
  fakeAction('create-lead', 'create-data-record', {
    score: 0.6,
    inputSchema: { type: 'object', properties: { name: { type: 'string' }, price: { type: 'number' } }, required: ['name'] },
  }),
  fakeAction('delete-lead', 'delete-data-record', {
    score: 0.4,
    inputSchema: { type: 'object', properties: { id: { type: 'number' } }, required: ['id'] },
  }),
  fakeAction('get-lead', 'find-data-record-by-id', { score: 0.3 }),
];

/** Words for what users must do, recognisable in next steps (`fake connect …`). */
export const FAKE_HINTS: UserActionHints = {
  login: () => ({ action: 'run `fake login`', command: 'fake login' }),
  connect: (c) => ({ action: `run \`fake connect ${c.key}\``, command: `fake connect ${c.key}` }),
  reconnect: (c) => {
    const uiUrl = c.clientAction?.uiUrl;
    return uiUrl ? { action: `open ${uiUrl} to reconnect`, uiUrl } : { action: `run \`fake reconnect ${c.id ?? '<id>'}\`` };
  },
  checkAccess: (op) => ({ action: `check the fake's access for ${op}` }),
};

export class FakeMembraneClient implements MembraneClient {
  readonly backend: Backend;
  readonly hints: UserActionHints;
  connections: Connection[];
  actions: Action[];
  readonly calls: FakeCall[] = [];
  /** How many times close() was called. */
  closes = 0;
  private readonly answers: FakeMembraneOptions['answer'];
  private readonly failures = new Map<FakeOperation, unknown[]>();
  private sequence = 0;

  constructor(opts: FakeMembraneOptions = {}) {
    this.backend = opts.backend ?? 'sandbox-cli';
    this.hints = opts.hints ?? FAKE_HINTS;
    this.connections = [...(opts.connections ?? FAKE_CONNECTIONS)];
    this.actions = [...(opts.actions ?? FAKE_ACTIONS)];
    this.answers = opts.answer ?? {};
  }

  /** The next `times` calls of `op` throw `error` (a ToolError, or anything a broken backend might throw). */
  failNext(op: FakeOperation, error: unknown, times = 1): this {
    const queue = this.failures.get(op) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.failures.set(op, queue);
    return this;
  }

  /** What `op` was asked, in order. */
  callsOf<K extends FakeOperation>(op: K): FakeCall<K>[] {
    return this.calls.filter((c): c is FakeCall<K> => c.op === op);
  }

  private serve<K extends FakeOperation>(
    op: K,
    q: FakeQueries[K],
    opts: CallOptions | undefined,
    fallback: FakeAnswer<K>,
  ): Promise<FakeAnswers[K]> {
    const options = opts ?? {};
    this.calls.push({ op, q, opts: options } as FakeCall);
    const failure = this.failures.get(op)?.shift();
    if (failure !== undefined) return Promise.reject(failure as Error);
    const scripted = this.answers?.[op] as FakeAnswer<K> | undefined;
    if (scripted) return Promise.resolve(scripted(q, options));
    return (async () => fallback(q, options))();
  }

  private find(idOrKey: string, connectionId?: string): Action | undefined {
    const mine = this.actions.filter((a) => !a.connectionId || !connectionId || a.connectionId === connectionId);
    return mine.find((a) => a.id === idOrKey) ?? mine.find((a) => a.key === idOrKey);
  }

  listConnections(opts?: CallOptions): Promise<Connection[]> {
    return this.serve('listConnections', undefined, opts, () => this.connections.map((c) => ({ ...c })));
  }

  listActions(q: FakeQueries['listActions'], opts?: CallOptions): Promise<Action[]> {
    return this.serve('listActions', q, opts, () =>
      this.actions.filter((a) => !a.connectionId || a.connectionId === q.connectionId).slice(0, q.limit),
    );
  }

  getAction(q: FakeQueries['getAction'], opts?: CallOptions): Promise<Action> {
    return this.serve('getAction', q, opts, () => {
      const found = this.find(q.id, q.connectionId);
      if (!found) throw new ToolError('NOT_FOUND', `Action ${q.id} not found`, { retryable: false, about: 'action' });
      return found;
    });
  }

  createAction(q: FakeQueries['createAction'], opts?: CallOptions): Promise<Action> {
    return this.serve('createAction', q, opts, () => {
      const built = fakeAction(`built-${++this.sequence}`, 'list-data-records', {
        name: q.name ?? q.description,
        connectionId: q.connectionId,
        inputSchema: { type: 'object', properties: { owner: { type: 'string' } }, required: ['owner'] },
      });
      this.actions.push(built);
      return built;
    });
  }

  runAction(q: FakeQueries['runAction'], opts?: CallOptions): Promise<RunResult> {
    return this.serve('runAction', q, opts, () => ({ output: { ok: true }, actionRunId: `run-${++this.sequence}` }));
  }

  request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse> {
    return this.serve('request', q, opts, () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } }));
  }

  describe(opts?: CallOptions): Promise<BackendInfo> {
    return this.serve('describe', undefined, opts, () => ({ version: 'fake 1.0.0', details: ['a fake MembraneClient of the unit tests'] }));
  }

  checkAccess(opts?: CallOptions): Promise<AccessCheck> {
    return this.serve('checkAccess', undefined, opts, () => ({ loggedIn: true, summary: 'the fake accepts everyone' }));
  }

  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
}
