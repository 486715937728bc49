// A small stand-in for Membrane's REST API on a loopback port, speaking its wire format as far as the api backend
// uses it: bearer auth (a static token, or an HS256 JWT signed with the workspace secret, claims {id: tenantKey,
// iss: workspaceKey} as the SDK mints it), `{items, cursor}` lists, long-poll on GET /actions/:id, POST /act (strict
// body), the deprecated POST /actions/:id/run, the connection proxy, and ErrorData bodies {type, key, message}.
// Every request is recorded; `override` lets a test answer any request its own way (faults). This is a test double
// for the client's unit tests, not the sandbox's emulation (membrane-sandbox serve), which the end-to-end suites use.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (an HTML error page, say). */
  body?: unknown;
  /** Wait this long before answering (a slow or hanging API). */
  delayMs?: number;
}

export interface DoubleOptions {
  /** Accepted bearer token (token mode). */
  token?: string;
  /** Workspace credentials whose minted JWTs are accepted. */
  workspace?: { key: string; secret: string; tenant: string };
  connections?: Record<string, unknown>[];
  /** Page size of GET /connections when the client asks for more. */
  pageSize?: number;
  /** false: the API predates POST /act (answers like an unknown route). */
  act?: boolean;
  /** How long an action created by POST /actions stays BUILDING. */
  buildMs?: number;
  override?: (req: RecordedRequest) => Answer | undefined;
}

export interface ApiDouble {
  url: string;
  requests: RecordedRequest[];
  /** Requests being answered right now, and the most at once. */
  inFlight: { now: number; max: number };
  close(): Promise<void>;
}

const defaultConnections = [
  {
    id: 'conn-amo',
    name: 'AmoCRM',
    state: 'READY',
    integration: { key: 'amocrm', name: 'AmoCRM' },
    userId: 'u',
    createdAt: '',
    updatedAt: '',
  },
  { id: 'conn-1crm', name: '1CRM', state: 'READY', integration: { key: '1crm', name: '1CRM' }, userId: 'u', createdAt: '', updatedAt: '' },
];

const ACTIONS = [
  {
    id: 'act-list-leads',
    key: 'list-leads',
    name: 'List leads',
    type: 'list-data-records',
    connectionId: 'conn-amo',
    inputSchema: { type: 'object' },
  },
  { id: 'act-create-lead', key: 'create-lead', name: 'Create lead', type: 'create-data-record', connectionId: 'conn-amo' },
];

const error = (status: number, type: string, key: string | undefined, message: string, data?: unknown): Answer => ({
  status,
  body: { type, ...(key ? { key } : {}), message, ...(data ? { data } : {}) },
});

function b64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

/** Checks an HS256 JWT against the secret and the claims the SDK mints; true when valid and unexpired. */
function validJwt(token: string, ws: NonNullable<DoubleOptions['workspace']>): boolean {
  const [h, p, sig] = token.split('.');
  if (!h || !p || sig === undefined) return false;
  const expected = b64url(createHmac('sha256', ws.secret).update(`${h}.${p}`).digest());
  if (expected !== sig) return false;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { id?: string; iss?: string; exp?: number };
  return claims.id === ws.tenant && claims.iss === ws.key && (claims.exp ?? 0) > Date.now() / 1000;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startApiDouble(opts: DoubleOptions = {}): Promise<ApiDouble> {
  const requests: RecordedRequest[] = [];
  const inFlight = { now: 0, max: 0 };
  const connections = opts.connections ?? defaultConnections;
  const created = new Map<string, { action: Record<string, unknown>; readyAt: number }>();
  let runs = 0;

  const authorized = (req: RecordedRequest): boolean => {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!m) return false;
    if (opts.token && m[1] === opts.token) return true;
    return !!opts.workspace && validJwt(m[1], opts.workspace);
  };

  const actionById = (id: string): Record<string, unknown> | undefined => {
    const built = created.get(id);
    if (built) return { ...built.action, state: Date.now() >= built.readyAt ? 'READY' : 'BUILDING' };
    return ACTIONS.find((a) => a.id === id || a.key === id);
  };

  async function route(req: RecordedRequest): Promise<Answer> {
    const custom = opts.override?.(req);
    if (custom) return custom;
    if (!authorized(req)) return error(401, 'bad_request', 'not_authenticated', 'Access token is invalid or expired');
    const { method, path, query } = req;
    if (method === 'GET' && path === '/connections') {
      const limit = Math.min(Number(query.get('limit') ?? 100), opts.pageSize ?? 100);
      const start = Number(query.get('cursor') ?? 0);
      const items = connections.slice(start, start + limit);
      const next = start + limit < connections.length ? String(start + limit) : undefined;
      return { status: 200, body: { items, ...(next ? { cursor: next } : {}) } };
    }
    if (method === 'GET' && path === '/actions') {
      const connectionId = query.get('connectionId');
      const intent = (query.get('intent') ?? '').toLowerCase();
      const mine = ACTIONS.filter((a) => a.connectionId === connectionId);
      const ranked = [...mine].sort((a, b) => Number(intent.includes(b.key.split('-')[0])) - Number(intent.includes(a.key.split('-')[0])));
      return { status: 200, body: { items: ranked.slice(0, Number(query.get('limit') ?? 10)) } };
    }
    const actionMatch = /^\/actions\/([^/]+)$/.exec(path);
    if (method === 'GET' && actionMatch) {
      const id = decodeURIComponent(actionMatch[1]);
      let action = actionById(id);
      if (!action) return error(404, 'bad_request', 'not_found', `Action with selector '${id}' not found`);
      if (query.get('wait') === 'true' && action.state === 'BUILDING') {
        const until = Date.now() + Number(query.get('timeout') ?? 30) * 1000;
        while (action?.state === 'BUILDING' && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 20));
          action = actionById(id);
        }
      }
      return { status: 200, body: action };
    }
    if (method === 'POST' && path === '/actions') {
      const body = req.body as { intent?: string; connectionId?: string; name?: string };
      const id = `built-${created.size + 1}`;
      const action = { id, key: id, name: body.name ?? body.intent, connectionId: body.connectionId, type: 'api-request-to-external-app' };
      created.set(id, { action, readyAt: Date.now() + (opts.buildMs ?? 50) });
      return { status: 201, body: { ...action, state: 'BUILDING' } };
    }
    if (method === 'POST' && path === '/act' && opts.act !== false) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const unknown = Object.keys(body).filter(
        (k) =>
          !['id', 'key', 'api', 'code', 'connectionId', 'connectionKey', 'integrationId', 'integrationKey', 'input', 'meta'].includes(k),
      );
      if (unknown.length) return error(400, 'bad_request', undefined, `Unknown keys: ${unknown.join(', ')}`);
      if (!actionById(String(body.id))) return error(404, 'bad_request', 'not_found', `Action '${String(body.id)}' not found`);
      return { status: 200, body: { output: { echo: body.input ?? null }, actionRunId: `run-${++runs}` } };
    }
    const runMatch = /^\/actions\/([^/]+)\/run$/.exec(path);
    if (method === 'POST' && runMatch) {
      return {
        status: 200,
        body: { output: { echo: (req.body as { input?: unknown })?.input ?? null, legacy: true }, actionRunId: `run-${++runs}` },
      };
    }
    const proxy = /^\/connections\/([^/]+)\/proxy(\/.*)$/.exec(path);
    if (proxy) {
      const [, connectionId, crmPath] = proxy;
      if (!connections.some((c) => c.id === connectionId)) {
        return error(400, 'connection', 'connection_is_defunct', 'Connection is defunct', {
          connectionId,
          uiUrl: `https://ui.example/reconnect/${connectionId}`,
        });
      }
      const status = /^\/status\/(\d{3})$/.exec(crmPath)?.[1];
      if (status)
        return { status: Number(status), headers: { 'x-upstream': 'crm' }, body: { error: 'crm says no', status: Number(status) } };
      return {
        status: 200,
        headers: { 'x-upstream': 'crm', 'x-page': '1' },
        body: { method, path: crmPath, query: [...query.entries()], body: req.body ?? null },
      };
    }
    return { status: 404, headers: { 'content-type': 'text/html' }, body: `<!DOCTYPE html><pre>Cannot ${method} ${path}</pre>` };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      try {
        const url = new URL(req.url ?? '/', 'http://double');
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: await readBody(req),
        };
        requests.push(recorded);
        const answer = await route(recorded);
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        if (res.destroyed) return;
        const isText = typeof answer.body === 'string';
        res.writeHead(answer.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? undefined : isText ? (answer.body as string) : JSON.stringify(answer.body));
      } finally {
        inFlight.now--;
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
