// The state store that replicas share: Redis, through the official `redis` client (loaded only when
// `--state redis://…` asks for it). Every record is one string key with a PX expiry:
//   <prefix><scope>:r:<resultId>   a result document (JSON)              SET PX / GET
//   <prefix><scope>:t:<token>      the call key a token was issued for    SET PX / Lua: GET, compare, DEL
//   <prefix><scope>:w:<callKey>    a write record {phase, owner, at}      Lua: GET, decide, SET PX (claim) or DEL
// The single-use and claim operations are Lua scripts, so Redis runs each as one atomic step whatever
// the number of replicas. The scope (tenant key) is part of every key, so no scope can read another's.
//
// When Redis does not answer, a call fails at once with STATE_UNAVAILABLE (retryable) rather than waiting:
// no offline queue (a write must not run on a claim that was never recorded), a bounded time per command,
// and reconnection in the background with capped exponential backoff, so calls work again once Redis is back.
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { withDeadline } from '../deadline.js';
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { addSecret, redact } from '../redact.js';
import { shownStateLocation } from './state-location.js';
import type { StateStore, StoredDocument, TakeOutcome, WriteClaim, WriteRecord } from './state-store.js';

/** Every key starts with this, so the store can share a Redis database with other data (a separate db number is cleaner). */
export const REDIS_KEY_PREFIX = 'membrane-crm-mcp:';

export interface RedisStateStoreOptions {
  url: string;
  log: Logger;
  /** Longest wait for one command's answer before STATE_UNAVAILABLE (default 2 s; large result documents get more). */
  commandTimeoutMs?: number;
  /** Longest wait for one connection attempt (default 3 s). */
  connectTimeoutMs?: number;
  /** Connection attempts at start-up before giving up (default 3); after the first success it retries for ever. */
  startupAttempts?: number;
  keyPrefix?: string;
}

/** Thrown by connectRedisStateStore when Redis cannot be reached at start-up (the server then exits 2). */
export class StateStoreUnreachable extends Error {
  override name = 'StateStoreUnreachable';
}

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** KEYS[1] token; ARGV[1] call key. 1 taken, 0 missing, 2 issued for another call (left as it was). */
const TAKE_TOKEN = script(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if v ~= ARGV[1] then return 2 end
redis.call('DEL', KEYS[1])
return 1`);

/**
 * KEYS[1] write record; ARGV owner, phase, ttl ms, force (1/0), now ms. Returns nil when claimed, else the
 * record that holds the write. A live claim ('confirming' or 'running') of the same owner is taken over.
 */
const CLAIM_WRITE = script(`
local cur = redis.call('GET', KEYS[1])
if cur and ARGV[4] ~= '1' then
  local rec = cjson.decode(cur)
  if not (rec.owner == ARGV[1] and (rec.phase == 'confirming' or rec.phase == 'running')) then return cur end
end
redis.call('SET', KEYS[1], cjson.encode({phase = ARGV[2], owner = ARGV[1], at = tonumber(ARGV[5])}), 'PX', ARGV[3])
return false`);

/**
 * KEYS[1] write record; ARGV owner, outcome (succeeded | unknown | forget), ttl ms, now ms. Only the owner
 * settles, and forget deletes only a live claim (an outcome already recorded keeps its window).
 */
const SETTLE_WRITE = script(`
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.owner ~= ARGV[1] then return 0 end
if ARGV[2] == 'forget' then
  if rec.phase ~= 'confirming' and rec.phase ~= 'running' then return 0 end
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({phase = ARGV[2], owner = ARGV[1], at = tonumber(ARGV[4])}), 'PX', ARGV[3])
end
return 1`);

function parseWriteRecord(text: string): WriteRecord {
  const rec = JSON.parse(text) as Partial<WriteRecord>;
  return { phase: rec.phase ?? 'unknown', owner: String(rec.owner ?? ''), at: Number(rec.at ?? 0) };
}

const SCRIPTS = [TAKE_TOKEN, CLAIM_WRITE, SETTLE_WRITE];

/** The client as the store configures it: no offline queue, a bounded queue, our reconnection policy. */
function newClient(url: string, connectTimeoutMs: number, reconnectStrategy: (retries: number, cause: Error) => number | Error) {
  return createClient({
    url,
    // A call made while Redis is away fails at once (STATE_UNAVAILABLE) instead of waiting to be sent later.
    disableOfflineQueue: true,
    // A stalled Redis must not collect commands without end: beyond this, calls fail at once.
    commandsQueueMaxLength: 1000,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy },
  });
}

type Client = ReturnType<typeof newClient>;

/** Retry delay after `retries` failed attempts: 100 ms doubling to 2 s, with jitter so replicas do not reconnect in step. */
export function reconnectDelayMs(retries: number, random: () => number = Math.random): number {
  return Math.round(Math.min(2000, 100 * 2 ** Math.min(retries, 10)) * (0.75 + random() * 0.5));
}

export class RedisStateStore implements StateStore {
  private readonly prefix: string;
  private readonly shown: string;
  private readonly timeoutMs: number;
  private lastFailureLog = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: RedisStateStoreOptions,
  ) {
    this.prefix = opts.keyPrefix ?? REDIS_KEY_PREFIX;
    this.shown = shownStateLocation(opts.url);
    this.timeoutMs = opts.commandTimeoutMs ?? 2000;
  }

  private key(scope: string, kind: 'r' | 't' | 'w', id: string): string {
    // Scopes we build never hold ':', but encoding makes sure no scope can spell another's keys.
    return `${this.prefix}${encodeURIComponent(scope)}:${kind}:${id}`;
  }

  /**
   * Runs one Redis operation within `timeoutMs`; any failure becomes STATE_UNAVAILABLE (the cause goes to the
   * log, throttled). The deadline is our own timer: the client's per-command timeout did not fire against a
   * stalled server in our tests. A late answer after the deadline is dropped.
   */
  private async run<T>(what: string, fn: (c: Client) => Promise<T>, chars = 0): Promise<T> {
    if (!this.client.isReady) throw this.unavailable(what, 'not connected (reconnecting)');
    const timeoutMs = this.timeoutMs + Math.ceil(chars / 10_000);
    const work = fn(this.client);
    work.catch(() => undefined);
    try {
      return await withDeadline(work, timeoutMs, () => {
        throw new Error(`no answer within ${timeoutMs} ms`);
      });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw this.unavailable(what, reason);
    }
  }

  private unavailable(what: string, reason: string): ToolError {
    const now = Date.now();
    if (now - this.lastFailureLog > 5000) {
      this.lastFailureLog = now;
      this.opts.log.warning(`state store ${this.shown}: ${what} failed: ${redact(reason).slice(0, 200)}`);
    }
    return new ToolError('STATE_UNAVAILABLE', `The shared state store did not answer (${what}); nothing that needed it was done`, {
      nextStep: 'Retry in a few seconds. Reads that need no stored state (listing, searching, reading) still work.',
      retryable: true,
      retryAfterSeconds: 2,
      details: { started: false },
    });
  }

  private async evalScript(c: Client, s: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await c.evalSha(s.sha, { keys, arguments: args });
    } catch (e) {
      // A Redis that restarted has forgotten the script: send it once in full (it is cached again from then on).
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return c.eval(s.lua, { keys, arguments: args });
    }
  }

  async putResult(scope: string, id: string, doc: StoredDocument, ttlMs: number): Promise<void> {
    const text = JSON.stringify(doc);
    await this.run(
      'store a result',
      (c) => c.set(this.key(scope, 'r', id), text, { expiration: { type: 'PX', value: ttlMs } }),
      text.length,
    );
  }

  async getResult(scope: string, id: string): Promise<StoredDocument | undefined> {
    // The size is not known before the answer: allow for a large document.
    const text = await this.run('read a result', (c) => c.get(this.key(scope, 'r', id)), 10_000_000);
    return typeof text === 'string' ? (JSON.parse(text) as StoredDocument) : undefined;
  }

  async putToken(scope: string, token: string, callKey: string, ttlMs: number): Promise<void> {
    await this.run('issue a token', (c) => c.set(this.key(scope, 't', token), callKey, { expiration: { type: 'PX', value: ttlMs } }));
  }

  async takeToken(scope: string, token: string, callKey: string): Promise<TakeOutcome> {
    const n = await this.run('take a token', (c) => this.evalScript(c, TAKE_TOKEN, [this.key(scope, 't', token)], [callKey]));
    return n === 1 ? 'taken' : n === 2 ? 'mismatch' : 'missing';
  }

  async claimWrite(scope: string, key: string, claim: WriteClaim): Promise<WriteRecord | undefined> {
    const held = await this.run('claim a write', (c) =>
      this.evalScript(
        c,
        CLAIM_WRITE,
        [this.key(scope, 'w', key)],
        [claim.owner, claim.phase, String(Math.max(1, Math.round(claim.ttlMs))), claim.force ? '1' : '0', String(Date.now())],
      ),
    );
    return typeof held === 'string' ? parseWriteRecord(held) : undefined;
  }

  async getWrite(scope: string, key: string): Promise<WriteRecord | undefined> {
    const held = await this.run('read a write record', (c) => c.get(this.key(scope, 'w', key)));
    return typeof held === 'string' ? parseWriteRecord(held) : undefined;
  }

  async settleWrite(scope: string, key: string, owner: string, outcome: 'succeeded' | 'unknown' | 'forget', ttlMs: number): Promise<void> {
    await this.run('record a write', (c) =>
      this.evalScript(
        c,
        SETTLE_WRITE,
        [this.key(scope, 'w', key)],
        [owner, outcome, String(Math.max(1, Math.round(ttlMs))), String(Date.now())],
      ),
    );
  }

  async ping(): Promise<void> {
    await this.run('ping', (c) => c.ping());
  }

  async close(): Promise<void> {
    try {
      if (this.client.isOpen) await this.client.close();
    } catch {
      this.client.destroy();
    }
  }
}

/**
 * Connects to the Redis at `opts.url`; throws StateStoreUnreachable (its message names the URL with the
 * password masked) when no attempt of the first few succeeds.
 */
export async function connectRedisStateStore(opts: RedisStateStoreOptions): Promise<RedisStateStore> {
  const shown = shownStateLocation(opts.url);
  const password = new URL(opts.url).password;
  if (password) addSecret(decodeURIComponent(password));
  const attempts = opts.startupAttempts ?? 3;
  let connectedOnce = false;
  let lastError = '';
  const client = newClient(opts.url, opts.connectTimeoutMs ?? 3000, (retries, cause) => {
    lastError = cause.message;
    if (!connectedOnce && retries + 1 >= attempts) return new StateStoreUnreachable(cause.message);
    return reconnectDelayMs(retries);
  });
  // Without a listener an 'error' event would end the process; the store reports failures per call instead.
  let reported = false;
  client.on('error', (e: Error) => {
    lastError = e.message;
    if (connectedOnce && !reported) {
      reported = true;
      opts.log.warning(`state store ${shown}: connection lost (${redact(e.message).slice(0, 200)}); reconnecting`);
    }
  });
  client.on('ready', () => {
    if (reported) opts.log.info(`state store ${shown}: connected again`);
    reported = false;
    // Cached before the first call needs them: a NOSCRIPT fallback resends a script only once the first answer is
    // back, which would let a command sent after it (a release behind a timed-out claim) run first.
    void Promise.all(SCRIPTS.map((s) => client.scriptLoad(s.lua))).catch(() => undefined);
  });
  try {
    await client.connect();
  } catch (e) {
    if (client.isOpen) client.destroy();
    const why = redact(lastError || (e instanceof Error ? e.message : String(e))).slice(0, 200);
    throw new StateStoreUnreachable(`cannot reach the state store at ${shown} (${why || 'no answer'})`);
  }
  connectedOnce = true;
  return new RedisStateStore(client, opts);
}
