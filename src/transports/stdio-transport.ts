// stdio: newline-delimited JSON-RPC on stdin/stdout, served by the SDK's serveStdio (which picks the
// protocol era from the client's first message) over our own line transport. Ours because a line over
// the limit must not end the connection: it is skipped to its newline and answered with a JSON-RPC
// error, and the server keeps serving (the SDK's own transport closes silently instead). Memory stays
// bounded whatever arrives: an over-long line is never held, only its first and last bytes.
import type { Readable, Writable } from 'node:stream';
import {
  type JSONRPCMessage,
  type McpServerFactory,
  type Transport,
  deserializeMessage,
  serializeMessage,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '../log.js';
import { invalidToolsCall, rpcErrorMessage } from './request-checks.js';

/** Longest JSON-RPC line accepted (10 MiB, as the SDK's); longer lines are answered with an error and dropped. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/** Bytes of an over-long line kept to find its id: the id is usually first or last. */
const KEPT_BYTES = 512;

/** Why the transport stopped: the client closed stdin (normal), or a stream failed (the server cannot go on). */
export type StopReason = { kind: 'stdin-ended' } | { kind: 'failed'; message: string };

const ID = String.raw`("(?:[^"\\]|\\.){0,200}"|-?\d{1,16})`;
const ID_AT_START = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}`);
const ID_AT_END = new RegExp(String.raw`,\s*"id"\s*:\s*${ID}\s*\}\s*$`);

/** The request id of a line we cannot parse whole, when its first or last bytes show it. */
export function idOfOverlongLine(head: string, tail: string): string | number | null {
  const m = ID_AT_START.exec(head) ?? ID_AT_END.exec(tail);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as string | number;
  } catch {
    return null;
  }
}

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Resolves once the transport stopped, with the reason. */
  readonly stopped: Promise<StopReason>;
  private resolveStopped!: (r: StopReason) => void;
  private chunks: Buffer[] = [];
  private size = 0;
  /** Set while skipping an over-long line: its first bytes, its last bytes, its length so far. */
  private skipping?: { head: Buffer; tail: Buffer; bytes: number };
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly log: Logger,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onInputError);
    this.output.on('error', this.onOutputError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('stdio transport is closed'));
    return new Promise((resolve, reject) => {
      const ok = this.output.write(serializeMessage(message), (e) => (e ? reject(e) : undefined));
      if (ok) resolve();
      else this.output.once('drain', resolve);
    });
  }

  close(): Promise<void> {
    this.stop({ kind: 'stdin-ended' });
    return Promise.resolve();
  }

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.append(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  };

  private append(piece: Buffer): void {
    if (!piece.length) return;
    if (this.skipping) {
      this.skipping.bytes += piece.length;
      this.skipping.tail = Buffer.concat([this.skipping.tail, piece]).subarray(-KEPT_BYTES);
      return;
    }
    this.chunks.push(piece);
    this.size += piece.length;
    if (this.size <= this.maxLineBytes) return;
    const line = Buffer.concat(this.chunks);
    this.skipping = { head: line.subarray(0, KEPT_BYTES), tail: line.subarray(-KEPT_BYTES), bytes: line.length };
    this.chunks = [];
    this.size = 0;
  }

  private endLine(): void {
    if (this.skipping) {
      const { head, tail, bytes } = this.skipping;
      this.skipping = undefined;
      const id = idOfOverlongLine(head.toString('utf8'), tail.toString('utf8'));
      const mib = (this.maxLineBytes / 1024 / 1024).toFixed(0);
      this.log.warning(`stdio: dropped a message of ${bytes} bytes (over the ${mib} MiB line limit); still serving`);
      void this.reply(
        rpcErrorMessage(
          id,
          -32600,
          `Message of ${bytes} bytes is over this server's ${mib} MiB limit for one stdio message; it was dropped. Send less in one call (a smaller body or input, or page through data).`,
        ),
      );
      return;
    }
    const line = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (!line.trim()) return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const refused = invalidToolsCall(message);
    if (refused) return void this.reply(refused);
    this.onmessage?.(message);
  }

  private async reply(message: JSONRPCMessage): Promise<void> {
    await this.send(message).catch((e: unknown) => this.onerror?.(e instanceof Error ? e : new Error(String(e))));
  }

  /**
   * The client closed stdin: nothing more will arrive, but answers to calls in flight can still be written,
   * so the transport stays open until the shutdown (index.ts) has let those calls end and closes it.
   */
  private readonly onEnd = () => {
    this.stopReading();
    this.resolveStopped({ kind: 'stdin-ended' });
  };
  private readonly onInputError = (e: Error) => this.stop({ kind: 'failed', message: `stdin failed: ${e.message}` });
  private readonly onOutputError = (e: Error) => this.stop({ kind: 'failed', message: `stdout failed: ${e.message}` });

  private stopReading(): void {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.pause();
    this.chunks = [];
    this.skipping = undefined;
  }

  private stop(reason: StopReason): void {
    if (this.closed) return;
    this.closed = true;
    this.stopReading();
    this.resolveStopped(reason);
    this.onclose?.();
  }
}

export interface StdioServing {
  /** Resolves when the client is gone (stdin ended) or a stream failed. */
  stopped: Promise<StopReason>;
  close(): Promise<void>;
}

/** Serves the factory on this process's stdin/stdout, for a 2025-era or a 2026-era client. */
export function serveOnStdio(factory: McpServerFactory, log: Logger): StdioServing {
  const transport = new LineTransport(process.stdin, process.stdout, log);
  const handle = serveStdio(factory, {
    transport,
    onerror: (e) => log.debug(`stdio: ${e.message.split('\n')[0].slice(0, 300)}`),
  });
  return { stopped: transport.stopped, close: () => handle.close() };
}
