// Errors are for the agent: a stable code, what happened, what to do next.
// Every failure of every tool ends as a ToolError and is rendered by results/tool-result.ts.

export const ERROR_CODES = {
  CLI_NOT_FOUND: 'The Membrane CLI is not installed or not where the server looks for it.',
  LOGIN_REQUIRED:
    'Membrane refused the login (HTTP 401): the CLI is not logged in or its session expired, or the API token or secret is wrong or expired.',
  CONNECTION_REQUIRED: 'No connection to this CRM exists yet.',
  CONNECTION_AMBIGUOUS: 'Several connections could serve the call; pass connectionId.',
  CONNECTION_NEEDS_USER_ACTION: 'The connection must be re-authenticated by the user (open uiUrl).',
  NOT_FOUND: 'The connection, action, record or result id does not exist.',
  INVALID_INPUT: 'The arguments or the action input are wrong; the fields are listed.',
  ACTION_NOT_READY: 'The action is still being built.',
  ACTION_BUILD_FAILED: 'Membrane could not build the requested action.',
  CONFIRMATION_REQUIRED: 'The call changes CRM data and needs confirmation; repeat it with the confirm token.',
  USER_DECLINED: 'The user declined the call in the confirmation dialog.',
  ACCESS_DENIED: 'Membrane refused the call for these credentials (HTTP 403): a missing permission, or another workspace or tenant.',
  POLICY_DENIED: 'A server setting (read-only, allow/deny rules) forbids the call.',
  DUPLICATE_WRITE: 'The same write ran moments ago; set allowRepeat to run it again.',
  RATE_LIMITED: 'The CRM or Membrane rate limit was hit.',
  UPSTREAM_ERROR: 'The CRM answered with an HTTP error (status and body excerpt included).',
  TIMEOUT: 'The call to Membrane (CLI process or API request) ran out of time and was stopped.',
  CANCELLED: 'The call was cancelled by the client or by server shutdown.',
  OUTPUT_TOO_LARGE: 'The CLI printed, or the API answered, more than the output cap allows.',
  MEMBRANE_ERROR: 'Membrane failed, could not be reached, or answered an error no other code covers (type, key or status included).',
  CLI_ERROR: 'The CLI failed or printed output that could not be understood (excerpt included).',
  STATE_UNAVAILABLE:
    'The shared state store (Redis) did not answer: nothing that needs it ran (writes, paging, confirmations); retry shortly.',
  INTERNAL_ERROR: 'An unexpected error inside the server; the server keeps running.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** What a NOT_FOUND (or a connection failure) is about, so callers react without parsing messages. */
export type ErrorSubject = 'connection' | 'action' | 'record' | 'result';

export interface ToolErrorInit {
  /** What to do next: a tool call, a command, a URL. */
  nextStep?: string;
  retryable?: boolean;
  /** A URL the user must open (re-authentication, login). */
  uiUrl?: string;
  /** Structured detail the agent can act on (fields, candidates, status, excerpt). Must be JSON. */
  details?: Record<string, unknown>;
  /** Seconds to wait before retrying, when the service said so. */
  retryAfterSeconds?: number;
  /** What the error is about (internal: not part of the result). */
  about?: ErrorSubject;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'TIMEOUT', 'CLI_ERROR', 'STATE_UNAVAILABLE']);

export class ToolError extends Error {
  readonly nextStep?: string;
  readonly retryable: boolean;
  readonly uiUrl?: string;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
  readonly about?: ErrorSubject;

  constructor(
    readonly code: ErrorCode,
    message: string,
    init: ToolErrorInit = {},
  ) {
    super(message);
    this.name = 'ToolError';
    this.nextStep = init.nextStep;
    this.retryable = init.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.uiUrl = init.uiUrl;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.about = init.about;
  }

  /** A copy with some fields replaced (errors are immutable once thrown). */
  with(init: ToolErrorInit): ToolError {
    return new ToolError(this.code, this.message, {
      nextStep: this.nextStep,
      retryable: this.retryable,
      uiUrl: this.uiUrl,
      details: this.details,
      retryAfterSeconds: this.retryAfterSeconds,
      about: this.about,
      ...init,
    });
  }

  /** The `error` object of an error result's structuredContent. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.nextStep ? { nextStep: this.nextStep } : {}),
      ...(this.uiUrl ? { uiUrl: this.uiUrl } : {}),
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  /** `CODE: what happened. Next: what to do` — the text agents read first. */
  toText(): string {
    const message = /[.!?]$/.test(this.message) ? this.message : `${this.message}.`;
    const parts = [`${this.code}: ${message}`];
    if (this.nextStep) parts.push(`Next: ${this.nextStep}`);
    if (this.uiUrl && !this.nextStep?.includes(this.uiUrl)) parts.push(`Open: ${this.uiUrl}`);
    return parts.join(' ');
  }
}
