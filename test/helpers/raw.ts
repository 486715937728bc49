// A raw JSON-RPC session with the built server: our own pipe, so every byte the server writes to stdout
// is seen and checked (the SDK client would only report lines it cannot parse).
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SANDBOX_API, type TestBackend } from './backends.js';
import { SERVER_CLI } from './sandbox.js';
import { serverEnv } from './mcp.js';

export interface JsonRpcMessage {
  jsonrpc: string;
  id?: number | string | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export class RawSession {
  /** Every line written to stdout, in order. */
  readonly lines: string[] = [];
  /** Lines that are not a JSON-RPC 2.0 message. */
  readonly badLines: string[] = [];
  readonly notifications: JsonRpcMessage[] = [];
  stderr = '';
  private nextId = 1;
  private readonly pending = new Map<number | string, (m: JsonRpcMessage) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Exited, and its stdout and stderr read to the end: a process can exit before its last bytes are read, so a test
   * that reads `stderr` or `lines` after the exit waits for this.
   */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    this.closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  static start(opts: { db: string; backend?: TestBackend; args?: string[]; env?: Record<string, string> }): RawSession {
    const child = spawn(process.execPath, [SERVER_CLI, ...(opts.backend ?? SANDBOX_API).args, ...(opts.args ?? [])], {
      env: serverEnv(opts.db, opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new RawSession(child);
  }

  private onLine(line: string): void {
    this.lines.push(line);
    let msg: JsonRpcMessage;
    try {
      msg = JSON.parse(line) as JsonRpcMessage;
    } catch {
      this.badLines.push(line);
      return;
    }
    if (msg?.jsonrpc !== '2.0' || (msg.method === undefined && msg.id === undefined)) {
      this.badLines.push(line);
      return;
    }
    if (msg.method !== undefined && msg.id === undefined) this.notifications.push(msg);
    if (msg.id !== undefined && msg.id !== null && msg.method === undefined) this.pending.get(msg.id)?.(msg);
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  }

  request(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<JsonRpcMessage> {
    return this.requestLine((id) => JSON.stringify({ jsonrpc: '2.0', id, method, params }), timeoutMs);
  }

  /** Sends the line `build(id)` writes (for messages JSON.stringify cannot build, e.g. 10,000 levels deep) and waits for the answer to `id`. */
  requestLine(build: (id: number) => string, timeoutMs = 60_000): Promise<JsonRpcMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to request #${id} in ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(m);
      });
      this.child.stdin!.write(`${build(id)}\n`);
    });
  }

  async initialize(capabilities: Record<string, unknown> = {}): Promise<JsonRpcMessage> {
    const res = await this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities,
      clientInfo: { name: 'raw', version: '1' },
    });
    this.send({ method: 'notifications/initialized' });
    return res;
  }

  callTool(name: string, args: unknown, timeoutMs?: number): Promise<JsonRpcMessage> {
    return this.request('tools/call', { name, arguments: args }, timeoutMs);
  }

  /** Ends stdin (how MCP hosts stop a stdio server) and waits for the exit and the last of its output. */
  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin!.end();
    return this.closed;
  }
}
