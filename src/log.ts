// Diagnostics: stderr always (stdout belongs to the protocol), and MCP logging notifications once a
// client is connected (the SDK filters them by the level the client set with logging/setLevel).
import { AsyncLocalStorage } from 'node:async_hooks';
import { redact, redactDeep } from './redact.js';

/**
 * Which MCP session a log line belongs to. Tool calls run inside `logOrigin.run(session, …)`, so the lines
 * they (and the CLI calls they start) log reach only that session's client; lines outside any call
 * (start-up, shutdown, HTTP session events) reach every session.
 */
export const logOrigin = new AsyncLocalStorage<symbol>();

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where MCP logging notifications go: one sink per connected MCP session (stdio has one, HTTP one per client). */
export type LogSink = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warning(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  /** Adds an MCP notification sink (server.ts, per session); returns the function that removes it. */
  attach(sink: LogSink): () => void;
}

export function createLogger(opts: { level: LogLevel; write?: (line: string) => void }): Logger {
  const threshold = LOG_LEVELS.indexOf(opts.level);
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const sinks = new Set<LogSink>();

  const emit = (level: LogLevel, message: string, data?: Record<string, unknown>) => {
    // stderr and the MCP sink share the threshold (server.ts): below it there is nothing to redact.
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const safe = redact(message);
    const safeData = data ? redactDeep(data) : undefined;
    const suffix = safeData ? ` ${JSON.stringify(safeData)}` : '';
    write(`[membrane-crm-mcp] ${level}: ${safe}${suffix}\n`);
    for (const sink of sinks) sink(level, safe, safeData);
  };

  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warning: (m, d) => emit('warning', m, d),
    error: (m, d) => emit('error', m, d),
    attach(s) {
      sinks.add(s);
      return () => void sinks.delete(s);
    },
  };
}
