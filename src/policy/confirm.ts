// Confirmation of risky calls. The first call is not executed: it returns a preview and a token bound to
// the call's fingerprint (5-minute TTL, single use). Only the identical call carrying that token runs.
import { randomBytes } from 'node:crypto';
import type { Settings } from '../config.js';
import { ToolError } from '../errors.js';
import type { ActionKind } from './action-kind.js';

export type ConfirmMode = Settings['confirm'];

/** destructive: deletes and anything we cannot classify; writes: every change; never: nothing. */
export function needsConfirmation(mode: ConfirmMode, kind: ActionKind): boolean {
  if (mode === 'never' || kind === 'read') return false;
  if (mode === 'writes') return true;
  return kind === 'destructive' || kind === 'unknown';
}

interface Pending {
  key: string;
  expiresAt: number;
}

export class Confirmations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(key: string): { token: string; expiresInSeconds: number } {
    this.sweep();
    const token = `c_${randomBytes(12).toString('base64url')}`;
    this.pending.set(token, { key, expiresAt: this.now() + this.ttlMs });
    return { token, expiresInSeconds: Math.round(this.ttlMs / 1000) };
  }

  /** Uses up `token` for the call `key`; throws when it is unknown, expired, used, or for another call. */
  consume(token: string, key: string): void {
    const p = this.pending.get(token);
    if (!p || p.expiresAt <= this.now()) {
      this.pending.delete(token);
      throw new ToolError('CONFIRMATION_REQUIRED', 'The confirm token is unknown, expired or already used', {
        nextStep: 'Call again without confirm to get a new preview and token, and confirm with the user.',
        retryable: false,
      });
    }
    if (p.key !== key) {
      // Not consumed: the token still confirms the call it was issued for.
      throw new ToolError('CONFIRMATION_REQUIRED', 'The confirm token was issued for a different call (the arguments changed)', {
        nextStep: 'Call again without confirm to preview the changed call and get a token for it.',
        retryable: false,
      });
    }
    this.pending.delete(token);
  }

  private sweep(): void {
    const now = this.now();
    for (const [t, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(t);
  }
}
