// The built server started with --http on a free port (port 0): the test reads the URL it logs, then
// talks to it with the SDK's StreamableHTTPClientTransport (either era) or plain HTTP requests.
import { Client, type ClientCapabilities, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type ResultPromise, execa } from 'execa';
import { SANDBOX_API, type TestBackend } from './backends.js';
import { type Era, eraOptions, serverEnv } from './mcp.js';
import { SERVER_CLI, tempDb } from './sandbox.js';

export interface HttpServerHandle {
  url: string;
  db: string;
  proc: ResultPromise<{ reject: false; env: Record<string, string>; extendEnv: false; stdin: 'ignore' }>;
  stderr(): string;
  /** A connected SDK client; `token` goes into Authorization. */
  connect(opts?: {
    token?: string;
    name?: string;
    era?: Era;
    capabilities?: ClientCapabilities;
    setup?: (client: Client) => void;
  }): Promise<Client>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | undefined>;
}

/**
 * The URL a `--http` server logs once it listens (within 15 s), and everything it wrote to stderr so far;
 * rejects when the process exits first.
 */
export function listeningUrl(
  stderrStream: NodeJS.ReadableStream,
  exited: PromiseLike<{ exitCode?: number }>,
): Promise<{ url: string; stderr: () => string }> {
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL logged in 15 s; stderr:\n${stderr}`)), 15_000);
    stderrStream.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The server's own line: at debug level the sandbox API's child logs a "listening on" of its own.
      const m = /membrane-crm-mcp \S+ listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stderr: () => stderr });
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${r.exitCode} before listening:\n${stderr}`));
    });
  });
}

export async function startHttpServer(
  opts: { backend?: TestBackend; args?: string[]; env?: Record<string, string> } = {},
): Promise<HttpServerHandle> {
  const db = tempDb('http-');
  const proc = execa(process.execPath, [SERVER_CLI, '--http=0', ...(opts.backend ?? SANDBOX_API).args, ...(opts.args ?? [])], {
    env: serverEnv(db.path, opts.env),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
  });
  const { url, stderr } = await listeningUrl(proc.stderr, proc);
  const clients: Client[] = [];
  return {
    url,
    db: db.path,
    proc,
    stderr,
    async connect(o = {}) {
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: o.token ? { headers: { Authorization: `Bearer ${o.token}` } } : undefined,
      });
      const client = new Client(
        { name: o.name ?? 'http-e2e', version: '1.0.0' },
        { capabilities: o.capabilities ?? {}, ...eraOptions(o.era) },
      );
      o.setup?.(client);
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      proc.kill('SIGTERM');
      const r = await proc;
      db.cleanup();
      return r.exitCode;
    },
  };
}
