// The bundled sandbox's REST front as a child of the server: `membrane-sandbox serve --port=0` on loopback with
// credentials made up for this start, so the api backend answers from it (sandbox-api) at the cost of one local
// HTTP request per call instead of a process. The start runs in the background (the MCP handshake never waits for
// it); `ready` settles once the child printed its one JSON line.
//
// The child never outlives the server: it stops when its stdin pipe ends (the pipe closes however the server dies,
// SIGKILL included), stop() ends the pipe and sends SIGTERM then SIGKILL, and an exit hook kills it when the server
// exits without stopping it. It runs in its own process group, so a terminal's Ctrl-C reaches the server, which
// stops it in order, rather than both at once.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { withDeadline } from '../deadline.js';
import type { Logger } from '../log.js';
import { addSecret, redact } from '../redact.js';

/** Where the child listens and the token it accepts (a `pat-` token: static, nothing to mint). */
export interface SandboxApiEndpoint {
  apiUri: string;
  accessToken: string;
}

export interface SandboxApiProcess {
  /** The endpoint once the child is listening; rejects with SandboxStartError (what failed, in one line). */
  readonly ready: Promise<SandboxApiEndpoint>;
  /** The child's process id (undefined when it could not be spawned). */
  readonly pid: number | undefined;
  /** Ends the child (stdin end, SIGTERM, then SIGKILL) and resolves once it is gone. */
  stop(): Promise<void>;
}

export class SandboxStartError extends Error {
  override name = 'SandboxStartError';
}

/** A fresh store is seeded on the child's first start; on a loaded machine that and Node's start take a few seconds. */
const START_TIMEOUT_MS = 20_000;
/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 1000;
/** The start-up line is a few hundred bytes; anything much longer is not it. */
const MAX_LINE_BYTES = 64 * 1024;
/** What a failed start quotes of the child's stderr. */
const STDERR_TAIL_CHARS = 600;

/**
 * V8's young generation may grow to 16 MB semi-spaces, which a burst of requests fills and keeps: about 25 MB of the
 * child's peak RSS (measured: 99 → 73 MB after 1,000 calls at 16 in flight) for no throughput this small server needs.
 */
const CHILD_NODE_FLAGS = ['--max-semi-space-size=2'];

/** The server's own API credentials stay with the server: the child is given only its own. */
const WITHHELD_ENV = ['MEMBRANE_ACCESS_TOKEN', 'MEMBRANE_WORKSPACE_KEY', 'MEMBRANE_WORKSPACE_SECRET', 'MEMBRANE_TENANT_KEY'];

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

function parseLine(line: string, accessToken: string): SandboxApiEndpoint {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw new SandboxStartError(`membrane-sandbox serve printed a line that is not JSON: ${redact(line).slice(0, 120)}`);
  }
  const { apiUri, accessToken: printed } = (doc ?? {}) as { apiUri?: unknown; accessToken?: unknown };
  if (typeof apiUri !== 'string' || !/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(apiUri)) {
    throw new SandboxStartError(
      `membrane-sandbox serve printed no loopback apiUri (got ${JSON.stringify(redact(String(apiUri))).slice(0, 80)})`,
    );
  }
  if (printed !== accessToken) throw new SandboxStartError('membrane-sandbox serve printed another access token than the one it was given');
  return { apiUri, accessToken };
}

/**
 * Starts `node <sandboxCli> serve --port=0 --host=127.0.0.1` with a random `pat-` token and workspace secret (both
 * registered with the redaction first). `onExit` is told when the child ends while nobody stopped it.
 */
export function startSandboxApiProcess(opts: {
  sandboxCli: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  onExit?: (why: string) => void;
}): SandboxApiProcess {
  const accessToken = `pat-${randomBytes(24).toString('base64url')}`;
  const workspaceSecret = randomBytes(32).toString('hex');
  addSecret(accessToken);
  addSecret(workspaceSecret);
  const env: NodeJS.ProcessEnv = {
    ...opts.env,
    MEMBRANE_SANDBOX_ACCESS_TOKEN: accessToken,
    MEMBRANE_SANDBOX_WORKSPACE_SECRET: workspaceSecret,
  };
  for (const name of WITHHELD_ENV) delete env[name];

  let stopping = false;
  let exited = false;
  let stderrTail = '';
  let settle: { resolve: (e: SandboxApiEndpoint) => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<SandboxApiEndpoint>((resolve, reject) => (settle = { resolve, reject }));
  // Nobody may be waiting yet (the first tool call waits): a failed start must not be an unhandled rejection.
  ready.catch(() => undefined);
  const fail = (message: string) => {
    settle?.reject(new SandboxStartError(message));
    settle = undefined;
  };

  let child: Child;
  try {
    child = spawn(process.execPath, [...CHILD_NODE_FLAGS, opts.sandboxCli, 'serve', '--port=0', '--host=127.0.0.1'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
  } catch (e) {
    fail(`membrane-sandbox serve could not be started: ${e instanceof Error ? e.message : String(e)}`);
    return { ready, pid: undefined, stop: () => Promise.resolve() };
  }
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const timer = setTimeout(() => {
    fail(`membrane-sandbox serve did not print its address within ${START_TIMEOUT_MS / 1000} s`);
    child.kill('SIGKILL');
  }, START_TIMEOUT_MS);
  timer.unref();

  // The first line of stdout is the endpoint; the rest (there is none) is drained.
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (!settle) return;
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (buffered.length > MAX_LINE_BYTES) fail('membrane-sandbox serve printed more than 64 KiB without a line end');
      return;
    }
    clearTimeout(timer);
    try {
      const endpoint = parseLine(buffered.slice(0, end).trim(), accessToken);
      settle.resolve(endpoint);
      settle = undefined;
      opts.log.debug(`sandbox API up at ${endpoint.apiUri} (pid ${child.pid})`);
    } catch (e) {
      fail((e as Error).message);
      child.kill('SIGKILL');
    }
    buffered = '';
  });

  // Its diagnostics go to our log, redacted like everything else (a fault can make it print token-like text).
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS * 2);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) opts.log.debug(`sandbox: ${line}`);
  });
  // An EPIPE on a child that died is reported by its exit, not here.
  child.stdin.on('error', () => undefined);

  child.on('error', (e) => fail(`membrane-sandbox serve could not be started: ${e.message}`));
  child.once('exit', (code, signal) => {
    exited = true;
    clearTimeout(timer);
    process.off('exit', killOnExit);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = redact(stderrTail.trim()).slice(-STDERR_TAIL_CHARS);
    if (settle) fail(`membrane-sandbox serve ${how} before it was ready${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`);
    else if (!stopping) opts.onExit?.(`membrane-sandbox serve (pid ${child.pid}) ${how} while the server was using it`);
  });

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    if (exited) return;
    child.stdin.end();
    child.kill('SIGTERM');
    if ((await withDeadline(gone, STOP_GRACE_MS, () => 'late' as const)) === 'late') {
      child.kill('SIGKILL');
      await withDeadline(gone, STOP_GRACE_MS, () => 'late' as const);
    }
  };
  return { ready, pid: child.pid, stop: () => (stopped ??= stop()) };
}
