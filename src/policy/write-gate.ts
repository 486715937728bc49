// The gate every call that may change CRM data passes, in this order, before the CLI runs:
// repeat guard (cheapest, and no point confirming a duplicate) → confirmation → run → record the outcome.
import { ToolError } from '../errors.js';
import { callKey } from './call-key.js';
import { needsConfirmation } from './confirm.js';
import type { ActionKind } from './action-kind.js';
import { type CallPreview, previewMessage } from './call-preview.js';
import { toToolError } from '../results/tool-result.js';
import type { CallContext, ServerContext } from '../tools/tool-context.js';

export interface GatedCall {
  kind: ActionKind;
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
  if (!gate.allowRepeat) ctx.repeats.check(key, call.tool);
  // Claimed before anything awaits (the confirmation dialog): an identical call made in parallel
  // must meet DUPLICATE_WRITE, not a second dialog and a second write.
  ctx.repeats.start(key);
  try {
    if (needsConfirmation(ctx.settings.confirm, gate.kind)) await confirm(ctx, call, gate, key);
    if (call.signal.aborted) {
      throw new ToolError('CANCELLED', 'The call was cancelled by the client before it ran', {
        retryable: false,
        details: { started: false },
      });
    }
    const result = await run();
    ctx.repeats.finish(key);
    return result;
  } catch (e) {
    // A refused or cancelled confirmation, or a definite failure, releases the claim; an unknown outcome keeps it.
    ctx.repeats.finish(key, toToolError(e));
    throw e;
  }
}

/** Passes when the call is confirmed (token or user); throws CONFIRMATION_REQUIRED or USER_DECLINED otherwise. */
async function confirm(ctx: ServerContext, call: CallContext, gate: GatedCall, key: string): Promise<void> {
  if (gate.confirm) {
    ctx.confirmations.consume(gate.confirm, key);
    return;
  }
  const answer = await call.confirmWithUser(previewMessage(gate.kind, gate.preview));
  if (answer === 'accept') return;
  if (answer === 'decline') {
    throw new ToolError('USER_DECLINED', 'The user declined this call in the confirmation dialog; nothing was changed', {
      nextStep: 'Do not retry it; ask the user what they want instead.',
      retryable: false,
      details: { preview: gate.preview },
    });
  }
  const { token, expiresInSeconds } = ctx.confirmations.issue(key);
  throw new ToolError(
    'CONFIRMATION_REQUIRED',
    `This ${gate.kind} call needs confirmation (--confirm ${ctx.settings.confirm}); it was not executed`,
    {
      nextStep: `Show the preview to the user. If they agree, call ${call.tool} again with exactly the same arguments plus "confirm": "${token}" (valid ${expiresInSeconds} s, once).`,
      retryable: false,
      details: { preview: gate.preview, confirm: token, expiresInSeconds },
    },
  );
}
