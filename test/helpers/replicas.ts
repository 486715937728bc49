// Replicas of the built server as a team would host them: each a process with `--http`, all on one Redis
// (`--state`) and one Membrane API (here `membrane-sandbox serve`, so the writes land in one SQLite store
// the test can read), sharing `--state-secret`. A round-robin fetch plays the load balancer: each HTTP
// request goes to the next replica (or to the one a test pins), and it records who served what.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Client, type ClientCapabilities, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { execa, type ResultPromise } from 'execa';
import { listeningUrl } from './http.js';
import { type Era, eraOptions } from './mcp.js';
import { SERVER_CLI } from './sandbox.js';

export interface Replica {
  url: string;
  /** Origin of the replica (http://127.0.0.1:port), for /healthz and /readyz. */
  origin: string;
  proc: ResultPromise<{ reject: false; extendEnv: false; stdin: 'ignore' }>;
  stderr(): string;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ exitCode?: number; signal?: string }>;
}

/** A state secret the replicas of one test share (what `openssl rand -hex 32` gives). */
export const newStateSecret = () => randomBytes(32).toString('hex');

/** Starts one replica: the built server on a free port with `args`, and only `env` (nothing from the developer's shell). */
export async function startReplica(args: string[], env: Record<string, string>): Promise<Replica> {
  const proc = execa(process.execPath, [SERVER_CLI, '--http=0', ...args], {
    reject: false,
    extendEnv: false,
    stdin: 'ignore',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  const { url, stderr } = await listeningUrl(proc.stderr, proc);
  return {
    url,
    origin: new URL(url).origin,
    proc,
    stderr,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await proc;
      return { exitCode: r.exitCode, signal: r.signal };
    },
  };
}

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface RoundRobin {
  fetch: FetchLike;
  /** Replica index of every request sent, in order. */
  served: number[];
  /** Sends every request to replica `i` from now on (undefined: round-robin again). */
  pin(i: number | undefined): void;
}

/** A load balancer in a fetch: request n goes to replica n mod N, unless pinned. */
export function roundRobin(urls: string[]): RoundRobin {
  let next = 0;
  let pinned: number | undefined;
  const served: number[] = [];
  return {
    served,
    pin: (i) => (pinned = i),
    fetch: (_url, init) => {
      const i = pinned ?? next++ % urls.length;
      served.push(i);
      return fetch(urls[i], init);
    },
  };
}

/** An SDK client whose HTTP requests go through `fetchLike` (a round-robin, or one replica). */
export async function connectThrough(
  url: string,
  fetchLike: FetchLike,
  opts: { era?: Era; token?: string; capabilities?: ClientCapabilities; setup?: (c: Client) => void } = {},
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: fetchLike,
    requestInit: opts.token ? { headers: { Authorization: `Bearer ${opts.token}` } } : undefined,
  });
  const client = new Client({ name: 'replicas-e2e', version: '1.0.0' }, { capabilities: opts.capabilities ?? {}, ...eraOptions(opts.era) });
  opts.setup?.(client);
  await client.connect(transport);
  return client;
}

/** The names of the 1CRM products in a sandbox store whose name starts with `prefix` (one entry per row). */
export function productNames(db: string, prefix: string): string[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    const rows = sqlite
      .prepare(
        "SELECT json_extract(data, '$.name') AS name FROM records WHERE connector_key = '1crm' AND model = 'Product' AND json_extract(data, '$.name') LIKE ?",
      )
      .all(`${prefix}%`) as { name: string }[];
    return rows.map((r) => r.name);
  } finally {
    sqlite.close();
  }
}
