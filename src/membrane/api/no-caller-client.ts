// The server's own client when every caller brings their own Membrane token (`--http-auth membrane`): it holds
// no credentials, so it runs no call (each request gets a client of its caller's instead). What it can do without
// credentials is say whether the API answers at all, for the readiness check: one unauthenticated request, where
// any HTTP answer below 500 (a 401 is what Membrane says to no token) means up.
import { ToolError } from '../../errors.js';
import type { AccessCheck, Backend, BackendInfo, MembraneClient, UserActionHints } from '../membrane-client.js';
import { SDK_VERSION } from './api-client.js';

export interface NoCallerClientOptions {
  apiUri: string;
  customApiUri: boolean;
  hints: UserActionHints;
  /** Longest wait for the API's answer to the reachability request (default 3 s). */
  probeTimeoutMs?: number;
}

export class NoCallerClient implements MembraneClient {
  readonly backend: Backend = 'membrane-api';
  readonly hints: UserActionHints;

  constructor(private readonly opts: NoCallerClientOptions) {
    this.hints = opts.hints;
  }

  private refuse(): never {
    throw new ToolError(
      'LOGIN_REQUIRED',
      "This server calls Membrane with each caller's own access token, and this call came without one",
      {
        nextStep: `Ask the user to ${this.hints.login().action}.`,
        retryable: false,
        details: { started: false },
      },
    );
  }

  listConnections(): never {
    return this.refuse();
  }
  listActions(): never {
    return this.refuse();
  }
  getAction(): never {
    return this.refuse();
  }
  createAction(): never {
    return this.refuse();
  }
  runAction(): never {
    return this.refuse();
  }
  request(): never {
    return this.refuse();
  }

  describe(): Promise<BackendInfo> {
    return Promise.resolve({
      version: `@membranehq/sdk ${SDK_VERSION}`,
      details: [
        `API: ${this.opts.apiUri}${this.opts.customApiUri ? ' (MEMBRANE_API_URI)' : ''}`,
        "credentials: each caller's bearer token (--http-auth membrane)",
      ],
    });
  }

  /** Whether the API answers (loggedIn stays unknown: there is nobody to log in). Throws MEMBRANE_ERROR when it does not. */
  async checkAccess(): Promise<AccessCheck> {
    const timeoutMs = this.opts.probeTimeoutMs ?? 3000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = Date.now();
    let status: number;
    try {
      const res = await fetch(new URL('connections?limit=1', this.opts.apiUri.replace(/\/?$/, '/')), {
        signal: controller.signal,
        redirect: 'manual',
      });
      status = res.status;
      await res.body?.cancel();
    } catch (e) {
      const why = controller.signal.aborted
        ? `no answer in ${timeoutMs} ms`
        : e instanceof Error
          ? ((e.cause as Error | undefined)?.message ?? e.message)
          : String(e);
      throw new ToolError('MEMBRANE_ERROR', `The Membrane API at ${new URL(this.opts.apiUri).origin} cannot be reached: ${why}`, {
        retryable: true,
      });
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Date.now() - started;
    if (status >= 500) {
      throw new ToolError('MEMBRANE_ERROR', `The Membrane API at ${new URL(this.opts.apiUri).origin} answered HTTP ${status}`, {
        retryable: true,
      });
    }
    return { summary: `API reachable (HTTP ${status} without credentials)`, durationMs };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
