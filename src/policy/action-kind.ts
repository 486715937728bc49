// What an action does to data — read, write, destructive or unknown — as the policy, the confirmation and
// the retry rules judge it. Membrane's own statement (the action's type, isReadOnly) is trusted; words in
// a key or name are not, since an agent chooses them for the actions it builds.
import type { Action } from '../membrane/membrane-client.js';

export type ActionKind = 'read' | 'write' | 'destructive' | 'unknown';

const TYPE_KIND: Record<string, ActionKind> = {
  'list-data-records': 'read',
  'find-data-record-by-id': 'read',
  'search-data-record': 'read',
  'match-data-record': 'read',
  'create-data-record': 'write',
  'update-data-record': 'write',
  'find-or-create-data-record': 'write',
  'delete-data-record': 'destructive',
};

// Verbs are read from the key and name ("delete-invoice", "List leads"). Destructive wins over write, write
// over read. Words that are often nouns ("call log", "blog post", "merge fields") count only as the leading
// word; unambiguous verbs count anywhere ("Find or create contact" is a write).
const DESTRUCTIVE = /\b(delete|remove|destroy|purge|erase|archive|void|cancel|unlink|disconnect|revoke|wipe)\b/;
const DESTRUCTIVE_LEADING = /^(merge|drop)$/;
const WRITE =
  /\b(create|add|update|edit|send|patch|upsert|complete|assign|move|convert|mark|import|upload|attach|change|insert|register|enable|disable|reassign|rename|transfer)\b/;
const WRITE_LEADING = /^(set|post|put|link|close|log|start|stop|schedule|reschedule|reopen|submit|book)$/;
const READ = /\b(get|list|search|find|fetch|read|retrieve|lookup|look up|show|count|export|download|query|describe|view|check)\b/;

/** The kind its key and name suggest (verbs), or undefined when they suggest none. */
export function kindFromName(action: Pick<Action, 'key' | 'name'>): ActionKind | undefined {
  const key = (action.key ?? '')
    .toLowerCase()
    .replace(/[-_.]+/g, ' ')
    .trim();
  const name = action.name
    .toLowerCase()
    .replace(/[-_.]+/g, ' ')
    .trim();
  const words = `${key} ${name}`;
  const leading = [key.split(' ')[0], name.split(' ')[0]];
  if (DESTRUCTIVE.test(words) || leading.some((w) => DESTRUCTIVE_LEADING.test(w))) return 'destructive';
  if (WRITE.test(words) || leading.some((w) => WRITE_LEADING.test(w))) return 'write';
  if (READ.test(words)) return 'read';
  return undefined;
}

export interface Classification {
  kind: ActionKind;
  /**
   * True when the kind comes from Membrane (a data-record `type`, or `isReadOnly`), not from words an
   * agent can choose (a built action's name). Only a trusted read passes --read-only or is retried.
   */
  trusted: boolean;
}

export function classifyAction(action: Pick<Action, 'type' | 'key' | 'name' | 'isReadOnly'>): Classification {
  const typeKind = action.type ? TYPE_KIND[action.type] : undefined;
  if (typeKind) return { kind: typeKind, trusted: true };
  if (action.isReadOnly === true) return { kind: 'read', trusted: true };
  const named = kindFromName(action);
  // Membrane says it writes, or does not say: a name that sounds like a read proves nothing.
  if (named === 'read' && action.isReadOnly === false) return { kind: 'unknown', trusted: false };
  return { kind: named ?? 'unknown', trusted: false };
}
