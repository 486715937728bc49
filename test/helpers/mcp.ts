// End-to-end harness: the built server (dist/index.js) over real stdio, driven by the SDK's Client and
// StdioClientTransport, against the real membrane-sandbox and a fresh sandbox database.
// `backend` picks how the server reaches the sandbox (backends.ts: its REST API, the default, or its CLI);
// `era` picks the protocol the client speaks: 'legacy' (2025-11-25, initialize) or 'modern' (2026-07-28).
import { Client, type CallToolResult, type ClientCapabilities } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { SANDBOX_API, type TestBackend } from './backends.js';
import { SERVER_CLI, tempDb } from './sandbox.js';

export type Era = 'legacy' | 'modern';

/** Client options for an era: the SDK client speaks 2025 by default; a pin makes it speak 2026-07-28 only. */
export function eraOptions(era: Era = 'legacy'): { versionNegotiation?: { mode: { pin: string } } } {
  return era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {};
}

/** _meta for a 2026 request that asks for log lines at `level` (2026 has no logging/setLevel; absent = none). */
export function logLevelMeta(level: string): Record<string, unknown> {
  return { 'io.modelcontextprotocol/logLevel': level };
}

export interface ServerHandle {
  client: Client;
  transport: StdioClientTransport;
  /** The sandbox database this server's calls use. */
  db: string;
  backend: TestBackend;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Errors the transport raised (a non-JSON line on stdout is one). */
  transportErrors: Error[];
  /** Server process id. */
  pid(): number | undefined;
  call(
    name: string,
    args?: Record<string, unknown>,
    opts?: { signal?: AbortSignal; timeout?: number; onprogress?: (p: { progress: number; total?: number; message?: string }) => void },
  ): Promise<ToolResult>;
  /** Stops the server and removes the database it made (none when `db` was given). */
  close(): Promise<void>;
}

export interface ToolResult extends CallToolResult {
  structuredContent?: Record<string, unknown>;
}

export interface StartOptions {
  /** How the server reaches the sandbox (default: its REST API, as users get it). */
  backend?: TestBackend;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a database (default: a fresh one per server). */
  db?: string;
  capabilities?: ClientCapabilities;
  /** Register handlers (e.g. elicitation) before connecting. */
  setup?: (client: Client) => void;
  era?: Era;
}

/** Environment for a server under test: only what it needs, like an MCP host passes it. */
export function serverEnv(db: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    MEMBRANE_SANDBOX_DB: db,
    MEMBRANE_SANDBOX_BUILD_MS: '200',
    MEMBRANE_CRM_SANDBOX: '1',
    ...extra,
  };
}

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  // A database this server made is this server's alone: removed by its own close(), never by anyone else's
  // (a shared list let one pool's cleanup delete the stores of servers another pool was still using).
  const own = opts.db ? undefined : tempDb('e2e-');
  const db = opts.db ?? own!.path;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_CLI, ...(opts.backend ?? SANDBOX_API).args, ...(opts.args ?? [])],
    env: serverEnv(db, opts.env),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const transportErrors: Error[] = [];
  const client = new Client({ name: 'e2e', version: '1.0.0' }, { capabilities: opts.capabilities ?? {}, ...eraOptions(opts.era) });
  opts.setup?.(client);
  client.onerror = (e) => transportErrors.push(e);
  try {
    await client.connect(transport);
  } catch (e) {
    await transport.close();
    own?.cleanup();
    throw e;
  }
  return {
    client,
    transport,
    db,
    backend: opts.backend ?? SANDBOX_API,
    stderr: () => stderr,
    transportErrors,
    pid: () => transport.pid ?? undefined,
    call: (name, args = {}, o = {}) =>
      client.callTool(
        { name, arguments: args },
        { signal: o.signal, timeout: o.timeout ?? 60_000, onprogress: o.onprogress },
      ) as Promise<ToolResult>,
    // The SDK's close waits for the server process to exit (stdin end, then SIGTERM, then SIGKILL).
    close: async () => {
      await client.close();
      own?.cleanup();
    },
  };
}

/** The structuredContent of a successful result, failing loudly with the error text otherwise. */
export function ok(r: ToolResult): Record<string, unknown> {
  if (r.isError) throw new Error(`expected success, got: ${(r.content[0] as { text: string }).text}`);
  return r.structuredContent!;
}

/** The error object of an error result, failing loudly on success. */
export function err(r: ToolResult): {
  code: string;
  message: string;
  nextStep?: string;
  uiUrl?: string;
  details?: Record<string, unknown>;
  retryable: boolean;
} {
  if (!r.isError) throw new Error(`expected an error, got: ${JSON.stringify(r.structuredContent).slice(0, 500)}`);
  return (r.structuredContent as { error: ReturnType<typeof err> }).error;
}

export function text(r: ToolResult): string {
  return (r.content[0] as { text: string }).text;
}

/**
 * Servers and temp directories of one test file, closed and removed together:
 * `const pool = serverPool(); afterAll(() => pool.closeAll());`
 */
export function serverPool() {
  const servers: ServerHandle[] = [];
  const dirs: { cleanup: () => void }[] = [];
  return {
    async start(opts: StartOptions = {}): Promise<ServerHandle> {
      const s = await startServer(opts);
      servers.push(s);
      return s;
    },
    /** A temp directory with a fresh database path, removed by closeAll. */
    dir(prefix: string): ReturnType<typeof tempDb> {
      const d = tempDb(prefix);
      dirs.push(d);
      return d;
    },
    async closeAll(): Promise<void> {
      await Promise.all(servers.map((s) => s.close()));
      dirs.forEach((d) => d.cleanup());
    },
  };
}
