// The only place that spawns the CLI. Every call is bounded: a slot from the FIFO limiter, a deadline
// (queue wait included), the request's AbortSignal, an output cap, no stdin, a pinned cwd, no shell.
// Children run in their own process group so a kill on timeout, cancel or shutdown also reaches
// anything they spawned; nothing is left behind. A server killed with SIGKILL cannot kill anything: the
// bundled sandbox CLI then notices by itself (its stdin `lifeline` pipe ends) and ends its group; the real
// `membrane` CLI gets no stdin (it might wait on one) and, orphaned, runs until it ends by itself.
import { existsSync } from 'node:fs';
import type * as Execa from 'execa';
import { withDeadline } from '../../deadline.js';
import { ToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { Limiter, QueueAbort } from '../limiter.js';

export interface CliCommand {
  /** Executable: the `membrane` binary, or process.execPath for a `.js` CLI and the sandbox. */
  file: string;
  /** Arguments before the command's own (the script path for `node <cli.js>`). */
  prefixArgs: string[];
  /** How users run it, for next steps: `membrane` or `membrane-sandbox`. */
  display: string;
  /**
   * The CLI watches a stdin pipe that the server never writes or closes (the bundled sandbox does, when
   * MEMBRANE_SANDBOX_LIFELINE=stdin): the pipe ends however the server dies, and the CLI then ends its group.
   */
  lifeline?: boolean;
}

export interface RunnerOptions {
  command: CliCommand;
  cwd: string;
  maxConcurrency: number;
  maxOutputBytes: number;
  defaultTimeoutMs: number;
  log: Logger;
  /** SIGTERM → SIGKILL grace. */
  killGraceMs?: number;
}

export interface RunRequest {
  args: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A CLI process that ended by itself (any exit code, or killed by a signal we did not send). */
export interface ProcessResult {
  exitCode?: number;
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

type StopReason = 'timeout' | 'cancelled' | 'shutdown';

// execa costs ~130 ms to import and initialize/tools-list never need it: load it on first use
// (index.ts pre-warms it right after the server connects, while the client is still initializing).
let execaModule: Promise<typeof Execa> | undefined;
export function loadExeca(): Promise<typeof Execa> {
  execaModule ??= import('execa');
  return execaModule;
}

const isWindows = process.platform === 'win32';

/** How users install the Membrane CLI (the CLI_NOT_FOUND next step; the doctor's fixes). */
export const INSTALL_CLI = 'npm install -g @membranehq/cli';

export class CliRunner {
  private readonly limiter: Limiter;
  private readonly live = new Map<number, AbortController>();
  private readonly settling = new Set<Promise<unknown>>();
  private closed = false;
  private readonly graceMs: number;

  constructor(private readonly opts: RunnerOptions) {
    this.limiter = new Limiter(opts.maxConcurrency);
    this.graceMs = opts.killGraceMs ?? 1500;
  }

  /** Processes running now (for tests and the bench). */
  get running(): number {
    return this.limiter.active;
  }

  async run(req: RunRequest): Promise<ProcessResult> {
    const label = req.args.slice(0, 2).join(' ');
    if (this.closed) throw new ToolError('CANCELLED', 'The server is shutting down', { retryable: false });
    const timeoutMs = req.timeoutMs ?? this.opts.defaultTimeoutMs;
    const deadline = Date.now() + timeoutMs;

    let release: () => void;
    try {
      release = await this.limiter.acquire(req.signal, deadline);
    } catch (e) {
      if (e instanceof QueueAbort) throw stopped(e.reason === 'deadline' ? 'timeout' : 'cancelled', label, timeoutMs, false);
      throw e;
    }
    try {
      return await this.spawn(req, label, deadline, timeoutMs);
    } finally {
      release();
    }
  }

  private async spawn(req: RunRequest, label: string, deadline: number, timeoutMs: number): Promise<ProcessResult> {
    if (this.closed) throw stopped('shutdown', label, timeoutMs, false);
    const controller = new AbortController();
    const stop = (reason: StopReason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    };
    const onRequestAbort = () => stop('cancelled');
    req.signal?.addEventListener('abort', onRequestAbort, { once: true });
    if (req.signal?.aborted) stop('cancelled');
    const timer = setTimeout(() => stop('timeout'), Math.max(0, deadline - Date.now()));

    const { execa } = await loadExeca();
    // close() may have run while execa was loading: it could not see this call, so it must not start now.
    if (this.closed) {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onRequestAbort);
      throw stopped('shutdown', label, timeoutMs, false);
    }
    const started = Date.now();
    const { lifeline } = this.opts.command;
    const sub = execa(this.opts.command.file, [...this.opts.command.prefixArgs, ...req.args], {
      cwd: this.opts.cwd,
      env: { NO_COLOR: '1', ...(lifeline ? { MEMBRANE_SANDBOX_LIFELINE: 'stdin' } : {}) },
      stdin: lifeline ? 'pipe' : 'ignore',
      reject: false,
      maxBuffer: this.opts.maxOutputBytes,
      cancelSignal: controller.signal,
      forceKillAfterDelay: this.graceMs,
      detached: !isWindows,
      windowsHide: true,
    });
    const pid = sub.pid;
    const killGroup = (signal: NodeJS.Signals) => {
      if (pid === undefined || isWindows) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    // The group gets SIGTERM with the child, then SIGKILL after the grace period.
    let groupKill: NodeJS.Timeout | undefined;
    controller.signal.addEventListener(
      'abort',
      () => {
        killGroup('SIGTERM');
        groupKill = setTimeout(() => killGroup('SIGKILL'), this.graceMs);
      },
      { once: true },
    );
    if (pid !== undefined) this.live.set(pid, controller);

    const settled = sub.then(() => undefined);
    this.settling.add(settled);
    const result = await sub;
    this.settling.delete(settled);
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onRequestAbort);
    if (pid !== undefined) this.live.delete(pid);
    if (controller.signal.aborted || result.signal) {
      // The child is gone; make sure nothing it spawned outlives it.
      if (groupKill) clearTimeout(groupKill);
      killGroup('SIGKILL');
    }
    const durationMs = Date.now() - started;
    this.opts.log.debug(`cli ${label}: ${result.exitCode ?? result.signal ?? 'no exit'} in ${durationMs} ms`, { pid });

    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (controller.signal.aborted) throw stopped(controller.signal.reason as StopReason, label, timeoutMs, true);
    if (result.isMaxBuffer) {
      throw new ToolError(
        'OUTPUT_TOO_LARGE',
        `The CLI printed more than ${+(this.opts.maxOutputBytes / 1048576).toFixed(2)} MB for "${label}"`,
        {
          nextStep: 'Narrow the call: a smaller limit, a filter, or fewer fields; or raise --cli-max-output-mb.',
          retryable: false,
        },
      );
    }
    const spawnCode = (result as { code?: unknown }).code;
    if (result.failed && result.exitCode === undefined && !result.signal && typeof spawnCode === 'string') {
      throw spawnFailure(spawnCode, this.opts.command, this.opts.cwd);
    }
    return { exitCode: result.exitCode, signal: result.signal, stdout, stderr, durationMs };
  }

  /** Refuses new calls, stops running ones (SIGTERM, then SIGKILL to the whole group) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.live.values()) controller.abort('shutdown');
    await withDeadline(Promise.allSettled([...this.settling]), this.graceMs + 500, () => undefined);
    if (!isWindows) {
      for (const pid of this.live.keys()) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}

/**
 * A call stopped by us. `started` says whether its CLI process ran: a call stopped while queued never
 * wrote anything (details.started false lets the repeat guard forget it).
 */
function stopped(reason: StopReason, label: string, timeoutMs: number, started: boolean): ToolError {
  const details = started ? undefined : { started: false };
  switch (reason) {
    case 'timeout':
      return started
        ? new ToolError('TIMEOUT', `"${label}" did not finish within ${Math.round(timeoutMs / 1000)} s; the CLI process was stopped`, {
            nextStep: 'Retry once; if it keeps timing out, narrow the call (smaller limit, a filter) or raise --cli-timeout.',
            retryable: true,
          })
        : new ToolError(
            'TIMEOUT',
            `"${label}" ran out of its ${Math.round(timeoutMs / 1000)} s while waiting for a free CLI slot; it never started`,
            {
              nextStep: 'Retry when fewer calls are running, or raise --max-concurrency / --cli-timeout.',
              retryable: true,
              details,
            },
          );
    case 'shutdown':
      return new ToolError('CANCELLED', `"${label}" was stopped because the server is shutting down`, { retryable: false, details });
    case 'cancelled':
      return new ToolError('CANCELLED', `"${label}" was cancelled by the client${started ? '' : ' while waiting for a free CLI slot'}`, {
        retryable: false,
        details,
      });
  }
}

function spawnFailure(code: string, command: CliCommand, cwd: string): ToolError {
  // spawn reports a missing working directory as ENOENT too: that is a setting to fix, not a missing CLI.
  if (code === 'ENOENT' && !existsSync(cwd)) {
    return new ToolError('CLI_ERROR', `The CLI's working directory does not exist (${cwd})`, {
      nextStep: 'Fix --cli-cwd / MEMBRANE_CRM_CLI_CWD and restart the server.',
      retryable: false,
    });
  }
  // The OS refused the command line: together the arguments exceed its limit (ARG_MAX).
  if (code === 'E2BIG') {
    return new ToolError('INVALID_INPUT', 'The call is too large for one CLI command line', {
      nextStep: 'Send less: a smaller body, fewer or shorter headers and query parameters, or split the write.',
      retryable: false,
    });
  }
  if (code === 'ENOENT') {
    return new ToolError('CLI_NOT_FOUND', `The Membrane CLI was not found (${command.file})`, {
      nextStep: `Install it with \`${INSTALL_CLI}\`, then \`membrane login --tenant\`, and restart the server; or set --membrane-cli / MEMBRANE_CLI to its path; or run with --sandbox for the offline sandbox.`,
      retryable: false,
    });
  }
  return new ToolError('CLI_ERROR', `The CLI could not be started (${code}: ${command.file})`, {
    nextStep: 'Check that --membrane-cli points to an executable file.',
    retryable: false,
  });
}
