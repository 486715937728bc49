// The sandbox backends an end-to-end suite runs against, as a parameter: `describe.each(BACKENDS)('… on $name', (b) => …)`
// with `startServer({ backend: b, … })` (or RawSession / startHttpServer with `backend.args`). Both read and write the
// same store through the same engine, so apart from `backend` and timing the same calls give the same results; a test
// that expects something else on one of them says so with `backend.name` and the reason.
//
// What the sandbox saw is read from its own log of Membrane calls, one entry per CLI process (MEMBRANE_SANDBOX_ARGV_LOG)
// or per API request (MEMBRANE_SANDBOX_REQUEST_LOG), named the way the server names its operations.
import { readFileSync } from 'node:fs';

export type SandboxBackendName = 'sandbox-cli' | 'sandbox-api';

export interface TestBackend {
  name: SandboxBackendName;
  /** Server arguments that select it (the harness turns the sandbox on: MEMBRANE_CRM_SANDBOX=1). */
  args: string[];
  /** The variable that makes the sandbox log every Membrane call to a file. */
  callLogVar: 'MEMBRANE_SANDBOX_ARGV_LOG' | 'MEMBRANE_SANDBOX_REQUEST_LOG';
  /** What a concurrency slot holds, in the server's TIMEOUT message ("while waiting for a free … slot"). */
  slot: 'CLI' | 'request';
}

/** The embedded default: the sandbox's REST front, started by the server (`membrane-sandbox serve`). */
export const SANDBOX_API: TestBackend = { name: 'sandbox-api', args: [], callLogVar: 'MEMBRANE_SANDBOX_REQUEST_LOG', slot: 'request' };
/** The sandbox's CLI, one process per call (`--sandbox --backend=cli`). */
export const SANDBOX_CLI: TestBackend = {
  name: 'sandbox-cli',
  args: ['--backend=cli'],
  callLogVar: 'MEMBRANE_SANDBOX_ARGV_LOG',
  slot: 'CLI',
};

export const BACKENDS: readonly TestBackend[] = [SANDBOX_CLI, SANDBOX_API];

/** The server's operation names, plus the sandbox's own commands the server never sends (login, serve…). */
export type CallOperation =
  'connection list' | 'connection get' | 'action list' | 'action get' | 'action create' | 'action run' | 'request' | 'other';

export interface LoggedCall {
  operation: CallOperation;
  /** A long-poll (`action get --wait`, `GET /actions/:id?wait=true`). */
  wait: boolean;
  /** The proxied request's method (`request` only). */
  method?: string;
  /** When it started, ms since the epoch (API requests only: the CLI's log has no clock). */
  startedAt?: number;
  /** How long it took, ms (API requests only). */
  ms?: number;
  /** The argv (CLI) or method, path and query (API), for assertions on what reached the sandbox. */
  raw: string[];
}

/** One API request as `membrane-sandbox serve` logs it. */
interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  query: [string, string][];
  status?: number;
  ms?: number;
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return []; // no call yet: the file does not exist
  }
}

function fromArgv(argv: string[]): LoggedCall {
  const [a, b] = argv;
  const operation: CallOperation =
    a === 'request'
      ? 'request'
      : a === 'connection' && (b === 'list' || b === 'get')
        ? `connection ${b}`
        : a === 'action' && (b === 'list' || b === 'get' || b === 'create' || b === 'run')
          ? `action ${b}`
          : 'other';
  const method = a === 'request' ? /^--method=(.+)$/.exec(argv.find((x) => x.startsWith('--method=')) ?? '')?.[1] : undefined;
  return { operation, wait: argv.includes('--wait'), ...(method ? { method } : {}), raw: argv };
}

/** The route a request took, by method and path (ids left out). */
export function routeOf(method: string, path: string): CallOperation {
  const s = path.split('/').filter(Boolean);
  if (s[0] === 'connections' && s[2] === 'proxy') return 'request';
  if (s[0] === 'connections') return s.length === 1 ? 'connection list' : 'connection get';
  if (s[0] === 'act' || (s[0] === 'actions' && s[2] === 'run')) return 'action run';
  if (s[0] === 'actions') return s.length === 1 ? (method === 'POST' ? 'action create' : 'action list') : 'action get';
  return 'other';
}

function fromRequest(e: RequestLogEntry): LoggedCall {
  const operation = routeOf(e.method, e.path);
  const wait = e.query.some(([k, v]) => k === 'wait' && v === 'true');
  return {
    operation,
    wait,
    ...(operation === 'request' ? { method: e.method } : {}),
    startedAt: Date.parse(e.at),
    ms: e.ms,
    raw: [e.method, e.path, ...e.query.map(([k, v]) => `${k}=${v}`)],
  };
}

/** Every Membrane call the sandbox logged to `file` so far, oldest first. */
export function loggedCalls(backend: TestBackend, file: string): LoggedCall[] {
  return lines(file).map((l) =>
    backend.callLogVar === 'MEMBRANE_SANDBOX_ARGV_LOG'
      ? fromArgv(JSON.parse(l) as string[])
      : fromRequest(JSON.parse(l) as RequestLogEntry),
  );
}

/** How many logged calls were `operation` (and a long-poll, when `wait` is given). */
export function countCalls(backend: TestBackend, file: string, operation: CallOperation, wait?: boolean): number {
  return loggedCalls(backend, file).filter((c) => c.operation === operation && (wait === undefined || c.wait === wait)).length;
}

/** The environment that turns the call log on. */
export function callLogEnv(backend: TestBackend, file: string): Record<string, string> {
  return { [backend.callLogVar]: file };
}

/** The most API requests that were in flight at once, from their start times and durations (API backends only). */
export function maxOverlap(calls: LoggedCall[]): number {
  const edges = calls
    .filter((c) => c.startedAt !== undefined && c.ms !== undefined)
    .flatMap((c) => [
      [c.startedAt!, 1],
      [c.startedAt! + c.ms!, -1],
    ])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (now += d));
  return max;
}
