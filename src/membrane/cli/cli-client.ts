// MembraneClient over the `membrane` CLI (or the bundled sandbox, which keeps the same contract).
import { ToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { redact } from '../../redact.js';
import * as argv from './cli-argv.js';
import {
  type CliCommandName,
  type FailureContext,
  classifyFailure,
  fromErrorData,
  parseSuccess,
  proxyFromSuccess,
  upstreamError,
} from './cli-failures.js';
import { excerpt } from './cli-output.js';
import { withRetry } from '../retry.js';
import type { CliRunner } from './cli-runner.js';
import { toAction, toActions, toConnections, toErrorData, toRunResult } from '../response-schemas.js';
import type {
  Action,
  Backend,
  CallKind,
  CallOptions,
  Connection,
  MembraneClient,
  ProxyRequest,
  ProxyResponse,
  RunResult,
} from '../membrane-client.js';

/** A workspace with more connections than this is not one an agent should pick from blindly. */
const MAX_CONNECTION_PAGES = 20;

export interface CliClientOptions {
  runner: CliRunner;
  backend: Backend;
  commandName: string;
  log: Logger;
  defaultTimeoutMs: number;
}

export class CliMembraneClient implements MembraneClient {
  readonly backend: Backend;
  readonly commandName: string;

  constructor(private readonly opts: CliClientOptions) {
    this.backend = opts.backend;
    this.commandName = opts.commandName;
  }

  /** Runs one CLI command (retrying reads on transient failures) and returns its JSON document. */
  private async call(
    command: CliCommandName,
    args: string[],
    kind: CallKind,
    opts: CallOptions | undefined,
    ids: Pick<FailureContext, 'connectionId' | 'actionId'> = {},
  ): Promise<unknown> {
    const ctx: FailureContext = { command, cli: this.commandName, ...ids };
    const timeoutMs = opts?.timeoutMs ?? this.opts.defaultTimeoutMs;
    const attempt = withRetry(
      async (remainingMs) => {
        const res = await this.opts.runner.run({ args, signal: opts?.signal, timeoutMs: remainingMs });
        if (res.stderr.trim()) this.opts.log.debug(`cli ${command} stderr: ${excerpt(redact(res.stderr), 500)}`);
        if (res.exitCode !== 0 || res.signal) throw classifyFailure(res, ctx);
        const doc = parseSuccess(res, ctx);
        if (doc instanceof ToolError) throw doc;
        return doc;
      },
      {
        kind,
        deadline: Date.now() + timeoutMs,
        signal: opts?.signal,
        onRetry: (n, delayMs, e) => this.opts.log.info(`retrying ${command} after ${e.code} (attempt ${n + 1} in ${delayMs} ms)`),
      },
    );
    if (kind === 'read') return attempt;
    return attempt.catch((e: unknown) => {
      throw e instanceof ToolError ? asWriteFailure(e) : e;
    });
  }

  /** A document of the wrong shape: an error envelope printed with exit 0, or output we cannot read. */
  private unexpected(command: CliCommandName, doc: unknown, expected: string): ToolError {
    const err = toErrorData(doc);
    if (err) return fromErrorData(err, { command, cli: this.commandName });
    return new ToolError('CLI_ERROR', `"${command}" printed JSON that is not ${expected}`, {
      retryable: false,
      details: { excerpt: excerpt(redact(JSON.stringify(doc))) },
    });
  }

  /** All connections: follows `cursor` (the API pages lists) up to MAX_CONNECTION_PAGES pages. */
  async listConnections(opts?: CallOptions): Promise<Connection[]> {
    const all: Connection[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_CONNECTION_PAGES; page++) {
      const doc = await this.call('connection list', argv.connectionListArgs(cursor), 'read', opts);
      const list = toConnections(doc);
      if (!list) throw this.unexpected('connection list', doc, 'a list of connections');
      all.push(...list);
      const next = (doc as { cursor?: unknown } | null)?.cursor;
      if (typeof next !== 'string' || !next || next === cursor || list.length === 0) break;
      cursor = next;
    }
    return all;
  }

  async listActions(q: { connectionId: string; intent: string; limit: number }, opts?: CallOptions): Promise<Action[]> {
    const doc = await this.call('action list', argv.actionListArgs(q), 'read', opts, { connectionId: q.connectionId });
    const list = toActions(doc);
    if (!list) throw this.unexpected('action list', doc, 'a list of actions');
    return list;
  }

  async getAction(q: { id: string; connectionId?: string; wait?: boolean; timeoutSeconds?: number }, opts?: CallOptions): Promise<Action> {
    // A long-poll needs its own budget: the wait plus time for the CLI to start and answer.
    const waitSeconds = q.wait && q.timeoutSeconds ? Math.max(1, Math.min(60, Math.round(q.timeoutSeconds))) : undefined;
    const callOpts = waitSeconds ? { ...opts, timeoutMs: opts?.timeoutMs ?? waitSeconds * 1000 + 15_000 } : opts;
    const doc = await this.call('action get', argv.actionGetArgs(q), 'read', callOpts, { connectionId: q.connectionId, actionId: q.id });
    const a = toAction(doc);
    if (!a) throw this.unexpected('action get', doc, 'an action');
    return a;
  }

  async createAction(q: { description: string; connectionId: string; name?: string }, opts?: CallOptions): Promise<Action> {
    const doc = await this.call('action create', argv.actionCreateArgs(q), 'write', opts, { connectionId: q.connectionId });
    const a = toAction(doc);
    if (!a) throw this.unexpected('action create', doc, 'an action');
    return a;
  }

  async runAction(q: { actionId: string; connectionId: string; input?: Record<string, unknown> }, opts?: CallOptions): Promise<RunResult> {
    // A run is a write unless the caller knows the action only reads: writes are never retried.
    const ctx = { connectionId: q.connectionId, actionId: q.actionId };
    const doc = await this.call('action run', argv.actionRunArgs(q), opts?.kind === 'read' ? 'read' : 'write', opts, ctx);
    // The CLI's exit code on failures is not documented: an error envelope with exit 0 is still an error.
    const isOutput = !!doc && typeof doc === 'object' && 'output' in doc;
    const err = isOutput ? undefined : toErrorData(doc);
    if (err?.type) throw fromErrorData(err, { command: 'action run', cli: this.commandName, ...ctx });
    return toRunResult(doc);
  }

  async request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse> {
    const kind: CallKind = q.method === 'GET' || q.method === 'HEAD' ? 'read' : 'write';
    const doc = await this.call('request', argv.requestArgs(q), kind, opts, { connectionId: q.connectionId });
    const res = proxyFromSuccess(doc);
    // A CLI that exits 0 on an upstream error (undocumented) still reports a failure.
    if (res.status >= 400)
      throw upstreamError(res.status, res.body, res.headers, { command: 'request', cli: this.commandName, connectionId: q.connectionId });
    return res;
  }

  close(): Promise<void> {
    return this.opts.runner.close();
  }
}

/** Failures after which a write may still have been applied. */
const MAYBE_APPLIED = new Set(['TIMEOUT', 'CANCELLED', 'OUTPUT_TOO_LARGE', 'CLI_ERROR']);

/**
 * A write that timed out, was cancelled, crashed or printed too much may have been applied: the agent
 * must check before repeating it, not retry blindly (and the repeat guard would refuse a blind retry).
 */
function asWriteFailure(e: ToolError): ToolError {
  if (!MAYBE_APPLIED.has(e.code) || e.details?.started === false) return e;
  return e.with({
    retryable: false,
    nextStep:
      'The write may have been applied: read the record to check before repeating it; to run it again anyway, call again with allowRepeat: true.',
  });
}
