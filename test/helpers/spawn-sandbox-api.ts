// `membrane-sandbox serve` as tests (and the server's api backend tests) use it: the built binary
// spawned with a piped stdin, its one JSON start-up line read from stdout; plus tokens minted the way
// Membrane documents them (HS256 or HS512 over the workspace secret), with node:crypto only.
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { SANDBOX_CLI } from './sandbox.js';

/** The line `serve` prints on start. */
export interface ServeLine {
  apiUri: string;
  workspaceKey: string;
  workspaceSecret: string;
  tenantKey: string;
  accessToken: string;
}

export interface SpawnedSandboxApi extends ServeLine {
  proc: ResultPromise<{ reject: false; env: Record<string, string | undefined>; stdin: 'pipe' }>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Everything the process wrote to stdout so far (the start-up line included). */
  stdout(): string;
  /** Sends `signal` (SIGTERM by default) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ exitCode?: number; signal?: string }>;
}

/**
 * Spawns `membrane-sandbox serve` over `db` and resolves once it printed its line (within 20 s);
 * rejects with its stderr when it exits first. Faults, build time and credentials come from `env`.
 */
export async function spawnSandboxApi(opts: { db: string; env?: Record<string, string>; args?: string[] }): Promise<SpawnedSandboxApi> {
  const proc = execa(process.execPath, [SANDBOX_CLI, 'serve', ...(opts.args ?? [])], {
    reject: false,
    stdin: 'pipe',
    env: {
      MEMBRANE_SANDBOX_FAULT: undefined,
      MEMBRANE_SANDBOX_ARGV_LOG: undefined,
      MEMBRANE_SANDBOX_REQUEST_LOG: undefined,
      MEMBRANE_SANDBOX_ANY_TENANT: undefined,
      MEMBRANE_SANDBOX_WORKSPACE_KEY: undefined,
      MEMBRANE_SANDBOX_WORKSPACE_SECRET: undefined,
      MEMBRANE_SANDBOX_TENANT_KEY: undefined,
      MEMBRANE_SANDBOX_ACCESS_TOKEN: undefined,
      MEMBRANE_SANDBOX_DB: opts.db,
      MEMBRANE_SANDBOX_BUILD_MS: '200',
      ...opts.env,
    },
  });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const lines = createInterface({ input: proc.stdout });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no line in 20 s; stderr:\n${stderr}`)), 20_000);
    lines.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void proc.then((r) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${r.exitCode ?? r.signal}) before its line; stderr:\n${stderr}`));
    });
  });
  const parsed = JSON.parse(line) as ServeLine;
  return {
    ...parsed,
    proc,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      proc.kill(signal);
      const r = await proc;
      return { exitCode: r.exitCode, signal: r.signal };
    },
  };
}

/** A Membrane access token: a JWT over `claims`, signed with the workspace secret. */
export function mintToken(claims: Record<string, unknown>, secret: string, alg: 'HS256' | 'HS512' = 'HS512'): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ alg, typ: 'JWT' })}.${part(claims)}`;
  const signature = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret)
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

/** Seconds since the epoch, `offset` seconds from now (JWT `exp`). */
export function epochSeconds(offset = 0): number {
  return Math.floor(Date.now() / 1000) + offset;
}

/** What the SDK throws when an answer is not a Membrane ErrorData (an axios error: CRM errors through the proxy, HTML pages, timeouts). */
export interface HttpClientError {
  isAxiosError: true;
  code?: string;
  response?: { status: number; headers: Record<string, unknown>; data: unknown };
}

/** True for the SDK's raw HTTP errors (axios errors it did not turn into a MembraneError). */
export function isHttpClientError(err: unknown): err is HttpClientError {
  return (
    typeof err === 'object' && err !== null && (err as { isAxiosError?: unknown }).isAxiosError === true && !('isMembraneError' in err)
  );
}

/** How a user points the server at "their" Membrane: a `pat-` access token, or the workspace key + secret + tenant trio. */
export type CredentialStyle = 'token' | 'workspace';

/**
 * The environment of a server in auto mode pointed at a separately started `membrane-sandbox serve` with its printed
 * credentials, as a user would point it at Membrane's own API: the server must choose the api backend (membrane-api).
 */
export function realApiEnv(api: ServeLine, style: CredentialStyle): Record<string, string> {
  const credentials: Record<string, string> =
    style === 'token'
      ? { MEMBRANE_ACCESS_TOKEN: api.accessToken }
      : { MEMBRANE_WORKSPACE_KEY: api.workspaceKey, MEMBRANE_WORKSPACE_SECRET: api.workspaceSecret, MEMBRANE_TENANT_KEY: api.tenantKey };
  return { MEMBRANE_CRM_SANDBOX: '0', MEMBRANE_API_URI: api.apiUri, ...credentials };
}

/**
 * A loopback front to a `membrane-sandbox serve` that passes every request through unchanged, except that connection
 * lists and connections lose what says which connector they belong to (connectorKey, integrationKey, integration,
 * connectorId, integrationId): a Membrane whose answers do not name the connector.
 */
export async function keylessApiFront(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const strip = (c: Record<string, unknown>) => {
    for (const k of ['connectorKey', 'integrationKey', 'integration', 'connectorId', 'integrationId']) delete c[k];
    return c;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = httpRequest(target + (req.url ?? '/'), { method: req.method, headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          let text = Buffer.concat(body).toString('utf8');
          const path = (req.url ?? '').split('?')[0];
          if (req.method === 'GET' && /^\/connections(\/[^/]+)?$/.test(path) && (up.statusCode ?? 500) < 300) {
            const doc = JSON.parse(text) as { items?: Record<string, unknown>[] } & Record<string, unknown>;
            text = JSON.stringify(Array.isArray(doc.items) ? { ...doc, items: doc.items.map(strip) } : strip(doc));
          }
          const out = { ...up.headers };
          delete out['content-length'];
          delete out['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, { ...out, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
