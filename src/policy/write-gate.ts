// The gate every call that may change CRM data passes, in this order, before the CLI runs:
// repeat guard (cheapest, and no point confirming a duplicate) → confirmation → run → record the outcome.
// A confirmation by dialog takes two rounds: the first claims the write for the dialog and asks; the
// round that carries the answer (bound to the exact call, single use) takes the claim over and runs.
import { randomBytes } from 'node:crypto';
import { ToolError } from '../errors.js';
import { callKey } from './call-key.js';
import { CONFIRM_TTL_MS, needsConfirmation } from './confirm.js';
import type { ActionKind } from './action-kind.js';
import { type CallPreview, previewMessage } from './call-preview.js';
import { toToolError } from '../results/tool-result.js';
import type { CallContext, ServerContext } from '../tools/tool-context.js';

export interface GatedCall {
  kind: ActionKind;
  /** The connection the call runs on (checked READY before the user is asked to confirm). */
  connectionId: string;
  /** Identifies the call exactly (connector, connection, action or method+path, input). */
  fingerprint: Record<string, unknown>;
  /** What the user is shown (call-preview.ts): server-known lines first, agent-chosen text quoted and last. */
  preview: CallPreview;
  confirm?: string;
  allowRepeat?: boolean;
}

export async function gatedWrite<T>(ctx: ServerContext, call: CallContext, gate: GatedCall, run: () => Promise<T>): Promise<T> {
  if (gate.kind === 'read') return run();
  const key = callKey({ tool: call.tool, ...gate.fingerprint });
  if (call.dialog.answer) return answered(ctx, call, gate, key, call.dialog.answer, run);
  const confirming = needsConfirmation(ctx.settings.confirm, gate.kind);
  if (confirming && !gate.confirm && call.dialog.available) {
    await ctx.connections.checkReady(call.connector, gate.connectionId, call);
    // The dialog holds the claim until its answer comes back (in a later round, maybe on another replica):
    // an identical call made meanwhile meets DUPLICATE_WRITE, not a second dialog and a second write.
    const ticket = await ctx.confirmations.openDialog(key);
    await ctx.repeats.claim(key, ticket, call.tool, { phase: 'confirming', ttlMs: CONFIRM_TTL_MS, force: gate.allowRepeat });
    return call.askUser(previewMessage(gate.kind, gate.preview), { key, ticket });
  }
  // Claimed before anything else awaits: an identical call made in parallel meets DUPLICATE_WRITE.
  const owner = `w_${randomBytes(9).toString('base64url')}`;
  await ctx.repeats.claim(key, owner, call.tool, { force: gate.allowRepeat });
  return runClaimed(ctx, call, key, owner, run, async () => {
    if (!confirming) return;
    if (gate.confirm) await ctx.confirmations.consume(gate.confirm, key);
    else throw await confirmationRequired(ctx, call, gate, key);
  });
}

/** The round that carries the user's answer: runs the call once on yes, releases the claim otherwise. */
async function answered<T>(
  ctx: ServerContext,
  call: CallContext,
  gate: GatedCall,
  key: string,
  answer: NonNullable<CallContext['dialog']['answer']>,
  run: () => Promise<T>,
): Promise<T> {
  if (answer.state.key !== key) {
    throw new ToolError('CONFIRMATION_REQUIRED', 'The confirmation answer was given for a different call (the arguments changed)', {
      nextStep: 'Call again without the answer to ask the user about this call.',
      retryable: false,
    });
  }
  const { ticket } = answer.state;
  // Used up whatever the answer: a replayed answer can never run the call a second time.
  const fresh = await closeDialog(ctx, call, key, ticket);
  // An answer already used reports what the round that used it did; the claim it made (running, or the recorded
  // outcome) is that round's, never released here, so the identical call still meets DUPLICATE_WRITE.
  if (!fresh) throw await ctx.repeats.answerUsed(key, ticket, call.tool);
  if (answer.outcome !== 'accept') await ctx.repeats.finish(key, ticket, new ToolError('USER_DECLINED', 'no'));
  if (answer.outcome === 'decline') {
    throw new ToolError('USER_DECLINED', 'The user declined this call in the confirmation dialog; nothing was changed', {
      nextStep: 'Do not retry it; ask the user what they want instead.',
      retryable: false,
      details: { preview: gate.preview },
    });
  }
  // A dismissed dialog falls back to the token: the agent can ask the user in the conversation instead.
  if (answer.outcome === 'cancel') throw await confirmationRequired(ctx, call, gate, key);
  // The dialog's claim becomes the run's (same owner); if allowRepeat took it over meanwhile, that call runs, not this one.
  await ctx.repeats.claim(key, ticket, call.tool);
  return runClaimed(ctx, call, key, ticket, run);
}

/**
 * Uses up the dialog's ticket. When the state store does not answer, the take may still land later (a stalled
 * Redis runs it late), so the answer counts as used: the ticket is taken again and the dialog's claim released,
 * both sent behind the first take so they apply after it, and the user is asked again on the next call.
 */
async function closeDialog(ctx: ServerContext, call: CallContext, key: string, ticket: string): Promise<boolean> {
  try {
    return await ctx.confirmations.closeDialog(ticket, key);
  } catch (e) {
    if (!(e instanceof ToolError) || e.code !== 'STATE_UNAVAILABLE') throw e;
    void ctx.confirmations.closeDialog(ticket, key).catch(() => undefined);
    ctx.repeats.release(key, ticket);
    throw new ToolError(
      'STATE_UNAVAILABLE',
      "The shared state store did not answer while the user's confirmation was being used; nothing ran, and this answer cannot be used again",
      {
        nextStep: `Call ${call.tool} again in a few seconds (without the answer): the user will be asked again.`,
        retryable: true,
        retryAfterSeconds: 2,
        details: { started: false },
      },
    );
  }
}

/** Runs a claimed write and records its outcome; a refused confirmation or a definite failure releases the claim. */
async function runClaimed<T>(
  ctx: ServerContext,
  call: CallContext,
  key: string,
  owner: string,
  run: () => Promise<T>,
  confirm?: () => Promise<void>,
): Promise<T> {
  let result: T;
  try {
    await confirm?.();
    if (call.signal.aborted) {
      throw new ToolError('CANCELLED', 'The call was cancelled by the client before it ran', {
        retryable: false,
        details: { started: false },
      });
    }
    result = await run();
  } catch (e) {
    // A refused or cancelled confirmation, or a definite failure, releases the claim; an unknown outcome keeps it.
    await ctx.repeats.finish(key, owner, toToolError(e)).catch(() => undefined);
    throw e;
  }
  // The write happened: its result is reported even if the guard cannot record it.
  await ctx.repeats.finish(key, owner).catch((e: unknown) => ctx.log.warning(`repeat guard: could not record a write: ${String(e)}`));
  return result;
}

/** CONFIRMATION_REQUIRED with a fresh token for exactly this call. */
async function confirmationRequired(ctx: ServerContext, call: CallContext, gate: GatedCall, key: string): Promise<ToolError> {
  const { token, expiresInSeconds } = await ctx.confirmations.issue(key);
  return new ToolError(
    'CONFIRMATION_REQUIRED',
    `This ${gate.kind} call needs confirmation (--confirm ${ctx.settings.confirm}); it was not executed`,
    {
      nextStep: `Show the preview to the user. If they agree, call ${call.tool} again with exactly the same arguments plus "confirm": "${token}" (valid ${expiresInSeconds} s, once).`,
      retryable: false,
      details: { preview: gate.preview, confirm: token, expiresInSeconds },
    },
  );
}
