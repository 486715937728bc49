// MembraneClient over the `membrane` CLI (or the bundled sandbox's CLI, which keeps the same contract).
import { ToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { redact } from '../../redact.js';
import * as argv from './cli-argv.js';
import { cliHints } from './cli-hints.js';
import {
  type CliCommandName,
  type FailureContext,
  classifyFailure,
  cliUpstreamError,
  errorFromDocument,
  parseSuccess,
  proxyFromSuccess,
} from './cli-failures.js';
import { accessFromStatus, versionFromOutput } from './cli-status.js';
import { excerpt } from '../membrane-errors.js';
import { allConnections } from '../connection-pages.js';
import type { CliRunner } from './cli-runner.js';
import { toAction, toActions, toConnections, toErrorData, toRunResult } from '../response-schemas.js';
import type {
  AccessCheck,
  Action,
  ActionCreateQuery,
  ActionGetQuery,
  ActionListQuery,
  ActionRunQuery,
  Backend,
  BackendInfo,
  CallOptions,
  Connection,
  MembraneClient,
  ProxyRequest,
  ProxyResponse,
  RunResult,
  UserActionHints,
} from '../membrane-client.js';

/** `<cli> --version` gets this long (the doctor). */
export const VERSION_TIMEOUT_MS = 10_000;
/** `<cli> status --json` gets this long (it may ask Membrane). */
export const STATUS_TIMEOUT_MS = 15_000;

export interface CliClientOptions {
  runner: CliRunner;
  backend: Backend;
  /** How the user runs this CLI in a terminal: next steps name it. */
  commandName: string;
  log: Logger;
  defaultTimeoutMs: number;
}

/**
 * One CLI process per call, one attempt: retries, deadlines across attempts and the write rules are the
 * decorator's (../call-safety.ts), which cli-setup.ts puts around this client.
 */
export class CliMembraneClient implements MembraneClient {
  readonly backend: Backend;
  readonly hints: UserActionHints;

  constructor(private readonly opts: CliClientOptions) {
    this.backend = opts.backend;
    this.hints = cliHints(opts.commandName, opts.backend);
  }

  private context(command: CliCommandName, ids: Pick<FailureContext, 'connectionId' | 'actionId'> = {}): FailureContext {
    return { command, cli: this.opts.commandName, hints: this.hints, ...ids };
  }

  /** Runs one CLI command and returns its JSON document. */
  private async call(
    command: CliCommandName,
    args: string[],
    opts: CallOptions | undefined,
    ids: Pick<FailureContext, 'connectionId' | 'actionId'> = {},
  ): Promise<unknown> {
    const ctx = this.context(command, ids);
    const res = await this.opts.runner.run({ args, signal: opts?.signal, timeoutMs: opts?.timeoutMs ?? this.opts.defaultTimeoutMs });
    if (res.stderr.trim()) this.opts.log.debug(`cli ${command} stderr: ${excerpt(redact(res.stderr), 500)}`);
    if (res.exitCode !== 0 || res.signal) throw classifyFailure(res, ctx);
    const doc = parseSuccess(res, ctx);
    if (doc instanceof ToolError) throw doc;
    return doc;
  }

  /** A document of the wrong shape: an error envelope printed with exit 0, or output we cannot read. */
  private unexpected(command: CliCommandName, doc: unknown, expected: string): ToolError {
    return (
      errorFromDocument(doc, this.context(command)) ??
      new ToolError('CLI_ERROR', `"${command}" printed JSON that is not ${expected}`, {
        retryable: false,
        details: { excerpt: excerpt(redact(JSON.stringify(doc))) },
      })
    );
  }

  /** All connections: follows `cursor` (the CLI pages lists as the API does), all within one timeout. */
  listConnections(opts?: CallOptions): Promise<Connection[]> {
    return allConnections(opts?.timeoutMs ?? this.opts.defaultTimeoutMs, async (cursor, timeoutMs) => {
      const doc = await this.call('connection list', argv.connectionListArgs(cursor), { ...opts, timeoutMs });
      const connections = toConnections(doc);
      if (!connections) throw this.unexpected('connection list', doc, 'a list of connections');
      return { connections, cursor: (doc as { cursor?: unknown } | null)?.cursor };
    });
  }

  async listActions(q: ActionListQuery, opts?: CallOptions): Promise<Action[]> {
    const doc = await this.call('action list', argv.actionListArgs(q), opts, { connectionId: q.connectionId });
    const list = toActions(doc);
    if (!list) throw this.unexpected('action list', doc, 'a list of actions');
    return list;
  }

  async getAction(q: ActionGetQuery, opts?: CallOptions): Promise<Action> {
    const doc = await this.call('action get', argv.actionGetArgs(q), opts, { connectionId: q.connectionId, actionId: q.id });
    const a = toAction(doc);
    if (!a) throw this.unexpected('action get', doc, 'an action');
    return a;
  }

  async createAction(q: ActionCreateQuery, opts?: CallOptions): Promise<Action> {
    const doc = await this.call('action create', argv.actionCreateArgs(q), opts, { connectionId: q.connectionId });
    const a = toAction(doc);
    if (!a) throw this.unexpected('action create', doc, 'an action');
    return a;
  }

  async runAction(q: ActionRunQuery, opts?: CallOptions): Promise<RunResult> {
    const ids = { connectionId: q.connectionId, actionId: q.actionId };
    const doc = await this.call('action run', argv.actionRunArgs(q), opts, ids);
    // The CLI's exit code on failures is not documented: an error envelope with exit 0 is still an error.
    const isOutput = !!doc && typeof doc === 'object' && 'output' in doc;
    if (!isOutput && toErrorData(doc)?.type) throw errorFromDocument(doc, this.context('action run', ids))!;
    return toRunResult(doc);
  }

  async request(q: ProxyRequest, opts?: CallOptions): Promise<ProxyResponse> {
    const doc = await this.call('request', argv.requestArgs(q), opts, { connectionId: q.connectionId });
    const res = proxyFromSuccess(doc);
    // A CLI that exits 0 on an upstream error (undocumented) still reports a failure.
    if (res.status >= 400)
      throw cliUpstreamError(res.status, res.body, res.headers, this.context('request', { connectionId: q.connectionId }));
    return res;
  }

  /** `<cli> --version`: throws when the CLI cannot be started at all. */
  async describe(opts?: CallOptions): Promise<BackendInfo> {
    const res = await this.opts.runner.run({ args: ['--version'], signal: opts?.signal, timeoutMs: opts?.timeoutMs ?? VERSION_TIMEOUT_MS });
    return { ...versionFromOutput(res, this.backend), details: [] };
  }

  /** `<cli> status --json`: whether the CLI is logged in, and as whom. */
  async checkAccess(opts?: CallOptions): Promise<AccessCheck> {
    const res = await this.opts.runner.run({
      args: ['status', '--json'],
      signal: opts?.signal,
      timeoutMs: opts?.timeoutMs ?? STATUS_TIMEOUT_MS,
    });
    return accessFromStatus(res, this.opts.commandName);
  }

  close(): Promise<void> {
    return this.opts.runner.close();
  }
}
