// Intent search: the one place the engine ranks actions by an intent and parses an intent into
// what `action create` builds. The ranking itself lives in intent.ts; both fronts come through here.
import { emulatorIn, isEmulatedKey, type EmulatorRegistry } from '../emulators.js';
import type { Emulator } from '../emulator-types.js';
import type { SandboxAction } from '../action-model.js';
import { parseDescription, rankActions, type ParsedDescription } from '../intent.js';

/**
 * The connector's actions that match `intent` at all, best first, each with its relevance (`score`, 0–1;
 * 0.5 and up is a strong match). Actions that match nothing are left out, never used as padding.
 */
export function rankByIntent(
  intent: string,
  actions: readonly SandboxAction[],
  emulators: EmulatorRegistry,
  connectorKey: string,
): { action: SandboxAction; score: number }[] {
  const vocab = isEmulatedKey(connectorKey) ? emulatorIn(emulators, connectorKey).entities : [];
  const rankable = actions.map((a) => ({
    key: a.key,
    name: a.name,
    description: a.description,
    operation: a.def?.operation,
    entity: a.def?.entity,
    action: a,
  }));
  return rankActions(intent, rankable, vocab).map((r) => ({ action: r.action.action, score: r.score }));
}

/** The (operation, entity) an intent asks `action create` to build on this emulation, or why it cannot. */
export function parseBuildIntent(intent: string, emulator: Emulator): ParsedDescription {
  return parseDescription(intent, emulator);
}
