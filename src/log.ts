// Diagnostics: stderr always (stdout belongs to the protocol), and MCP logging notifications to the
// client whose call produced the line (the SDK then applies the level that client asked for).
import { AsyncLocalStorage } from 'node:async_hooks';
import { redact, redactDeep } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where a tool call's log lines go as MCP notifications: that call's own request, nobody else's. */
export type LogSink = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/**
 * The sink of the call being served. Tool calls run inside `withLogSink(sink, …)`, so the lines they (and
 * the CLI calls they start) log reach only their own client; lines outside any call stay on stderr.
 */
const callSink = new AsyncLocalStorage<LogSink>();

export function withLogSink<T>(sink: LogSink, fn: () => T): T {
  return callSink.run(sink, fn);
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warning(message: string, data?: Record<string, unknown>): void;
  /** `data.stack` (an error's stack trace) goes to stderr only, never to a client. */
  error(message: string, data?: Record<string, unknown>): void;
}

/** File URLs, script files, and absolute paths under the usual roots (API paths like /api/v4/leads stay). */
const FILE_PATHS = [
  /file:\/\/\S+/g,
  /(?:[A-Za-z]:)?[\\/][^\s'"()<>]*\.(?:[cm]?[jt]s|json|node)\b(?::\d+)*/g,
  /\/(?:home|Users|usr|opt|tmp|var|root|srv|mnt|private|work|app|etc|nix|snap|proc)\/[^\s'"()<>]*/g,
];

/** Longest text a client is sent in one message or data value; stderr keeps the whole line. */
const CLIENT_TEXT_CHARS = 500;

function clientText(text: string): string {
  const firstLine = text.split('\n')[0].slice(0, CLIENT_TEXT_CHARS * 2);
  const noPaths = FILE_PATHS.reduce((t, re) => t.replace(re, '<path>'), firstLine);
  return noPaths.length > CLIENT_TEXT_CHARS ? `${noPaths.slice(0, CLIENT_TEXT_CHARS)}…` : noPaths;
}

function clientValue(value: unknown): unknown {
  if (typeof value === 'string') return clientText(value);
  if (Array.isArray(value)) return value.map(clientValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clientValue(v)]));
  }
  return value;
}

/**
 * What a client may see of a log line: one line, no stack frames, no file paths (a client learns nothing
 * about where the server is installed), bounded lengths. Data fields named `stack` never leave stderr.
 */
export function forClient(message: string, data?: Record<string, unknown>): { message: string; data?: Record<string, unknown> } {
  const text = clientText(message);
  if (!data) return { message: text };
  const { stack: _stack, ...rest } = data;
  return Object.keys(rest).length ? { message: text, data: clientValue(rest) as Record<string, unknown> } : { message: text };
}

export function createLogger(opts: { level: LogLevel; write?: (line: string) => void }): Logger {
  const threshold = LOG_LEVELS.indexOf(opts.level);
  const write = opts.write ?? ((line: string) => process.stderr.write(line));

  const emit = (level: LogLevel, message: string, data?: Record<string, unknown>) => {
    // stderr and the client share the threshold: below it there is nothing to redact.
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const safe = redact(message);
    const safeData = data ? redactDeep(data) : undefined;
    const suffix = safeData ? ` ${JSON.stringify(safeData)}` : '';
    write(`[membrane-crm-mcp] ${level}: ${safe}${suffix}\n`);
    const sink = callSink.getStore();
    if (!sink) return;
    const shown = forClient(safe, safeData);
    sink(level, shown.message, shown.data);
  };

  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warning: (m, d) => emit('warning', m, d),
    error: (m, d) => emit('error', m, d),
  };
}
