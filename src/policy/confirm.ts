// Confirmation of risky calls. The first call is not executed: it returns a preview and a token bound to
// the call's fingerprint (5-minute TTL, single use). Only the identical call carrying that token runs.
// The tokens live in the state store, so any replica that shares it honours a token, once.
import { randomBytes } from 'node:crypto';
import type { Settings } from '../config.js';
import { ToolError } from '../errors.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { DEFAULT_SCOPE, type StateStore } from '../state/state-store.js';
import type { ActionKind } from './action-kind.js';

export type ConfirmMode = Settings['confirm'];

/** destructive: deletes and anything we cannot classify; writes: every change; never: nothing. */
export function needsConfirmation(mode: ConfirmMode, kind: ActionKind): boolean {
  if (mode === 'never' || kind === 'read') return false;
  if (mode === 'writes') return true;
  return kind === 'destructive' || kind === 'unknown';
}

export const CONFIRM_TTL_MS = 5 * 60_000;

export class Confirmations {
  private readonly state: StateStore;

  constructor(
    private readonly ttlMs = CONFIRM_TTL_MS,
    now: () => number = Date.now,
    state?: StateStore,
    private readonly scope = DEFAULT_SCOPE,
  ) {
    this.state = state ?? new MemoryStateStore({ now });
  }

  async issue(key: string): Promise<{ token: string; expiresInSeconds: number }> {
    const token = `c_${randomBytes(12).toString('base64url')}`;
    await this.state.putToken(this.scope, token, key, this.ttlMs);
    return { token, expiresInSeconds: Math.round(this.ttlMs / 1000) };
  }

  /** Uses up `token` for the call `key`; throws when it is unknown, expired, used, or for another call. */
  async consume(token: string, key: string): Promise<void> {
    const outcome = await this.state.takeToken(this.scope, token, key).catch((e: unknown) => {
      // The take may still land after we stopped waiting (a stalled store runs it late): the token may be spent.
      if (!(e instanceof ToolError) || e.code !== 'STATE_UNAVAILABLE') throw e;
      throw new ToolError(
        'STATE_UNAVAILABLE',
        'The shared state store did not answer while the confirm token was being used; nothing ran, and the token may have been used up',
        {
          nextStep:
            'Retry in a few seconds with the same arguments and token. If the token is then refused as used, call again without confirm for a new one, and confirm with the user again.',
          retryable: true,
          retryAfterSeconds: 2,
          details: { started: false },
        },
      );
    });
    if (outcome === 'missing') {
      throw new ToolError('CONFIRMATION_REQUIRED', 'The confirm token is unknown, expired or already used', {
        nextStep: 'Call again without confirm to get a new preview and token, and confirm with the user.',
        retryable: false,
      });
    }
    if (outcome === 'mismatch') {
      // Not consumed: the token still confirms the call it was issued for.
      throw new ToolError('CONFIRMATION_REQUIRED', 'The confirm token was issued for a different call (the arguments changed)', {
        nextStep: 'Call again without confirm to preview the changed call and get a token for it.',
        retryable: false,
      });
    }
  }

  /**
   * A ticket for one confirmation dialog, bound to the call: the user's answer runs that call at most once
   * (a replayed answer finds the ticket gone). Kept apart from confirm tokens, so an agent that reads the
   * ticket cannot pass it as `confirm`.
   */
  async openDialog(key: string): Promise<string> {
    const ticket = `d_${randomBytes(12).toString('base64url')}`;
    await this.state.putToken(this.scope, ticket, `dialog:${key}`, this.ttlMs);
    return ticket;
  }

  /** Uses the ticket up; false when it is unknown, expired, used, or for another call. */
  async closeDialog(ticket: string, key: string): Promise<boolean> {
    return (await this.state.takeToken(this.scope, ticket, `dialog:${key}`)) === 'taken';
  }
}
