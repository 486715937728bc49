// A real `redis-server` for one test file: its own free loopback port, its own temp directory, no
// persistence (no RDB snapshots, no AOF), stopped by the test. Tests that need Redis fail, never skip,
// when it is not installed: the message says how to install it (.ci/run installs it on Debian).
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER ?? 'redis-server';

export const REDIS_MISSING =
  '`redis-server` is not installed, and the Redis and replica tests need a real one. Install it: `sudo apt-get install -y redis-server` ' +
  '(Debian/Ubuntu; .ci/run does this), `brew install redis` (macOS), or set REDIS_SERVER to its path.';

export interface RedisServer {
  /** redis://[:password@]127.0.0.1:<port>/0 */
  url: string;
  port: number;
  pid(): number | undefined;
  /** Stops the server (SIGTERM, or SIGKILL for a crash); its data is gone (no persistence). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a fresh server on the same port (after stop). */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

type Proc = ResultPromise<{ reject: false; stdin: 'ignore'; all: true }>;

/**
 * Spawns redis-server on `port` and resolves once it accepts connections (within 10 s). The process is
 * wrapped: a ResultPromise is a thenable, so resolving with it would wait for the process to end.
 */
async function spawnRedis(port: number, dir: string, password?: string): Promise<{ proc: Proc }> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  if (password) args.push('--requirepass', password);
  const proc = execa(REDIS_SERVER_BIN, args, { reject: false, stdin: 'ignore', all: true });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${out}`)), 10_000);
      proc.all.on('data', (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void proc.then((r) => {
        clearTimeout(timer);
        const missing = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message ?? ''));
        reject(new Error(missing ? REDIS_MISSING : `redis-server exited (${r.exitCode ?? r.signal}) before it was ready:\n${out}`));
      });
    });
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return { proc };
}

/** Starts a throw-away redis-server; `password` sets requirepass. */
export async function startRedisServer(opts: { password?: string } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  let port = await freePort();
  let proc: Proc | undefined;
  // Another process may take the free port between the probe and the spawn: try a fresh one.
  for (let attempt = 0; !proc; attempt++) {
    try {
      ({ proc } = await spawnRedis(port, dir, opts.password));
    } catch (e) {
      if (attempt >= 2 || (e as Error).message === REDIS_MISSING) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      port = await freePort();
    }
  }
  let current: Proc | undefined = proc;
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!current) return;
    const p = current;
    current = undefined;
    p.kill(signal);
    await p;
  };
  return {
    url: `redis://${auth}127.0.0.1:${port}/0`,
    port,
    pid: () => current?.pid,
    stop,
    async restart() {
      await stop();
      ({ proc: current } = await spawnRedis(port, dir, opts.password));
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
