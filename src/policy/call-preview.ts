// What a person is shown before a risky call runs: the confirmation dialog (elicitation) and the preview of
// CONFIRMATION_REQUIRED, which the agent is told to show. Names, keys, inputs, paths and bodies are chosen by
// the agent (or whoever built the action), and the agent may be following injected text, so every such string
// is quoted, kept on one line (control, format and line-separator characters escaped, so no newline, Unicode
// line separator or right-to-left override survives) and capped. What the server itself knows (the kind, the
// connection, the action id and type) comes first, so no name can push it out of view.
import { sanitize } from '../results/budget.js';
import type { ActionKind } from './action-kind.js';

/** Longest agent-chosen name, key or path shown, in characters of the original. */
const NAME_CHARS = 120;
const PATH_CHARS = 300;
/** Longest input, query or body shown (its one-line JSON). */
const VALUE_CHARS = 600;

// Controls (C0, C1, DEL), format characters (bidi overrides and isolates, zero-width joiners, BOM), line and
// paragraph separators, and lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const short = SHORT_ESCAPES[ch];
  if (short) return short;
  const code = ch.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` on one line: unsafe characters escaped (and `"` and `\` too when `quote`), at most `max` characters of
 * the original, then `… (N characters)` when it was cut. Code points are never split.
 */
function oneLine(text: string, max: number, quote: boolean): string {
  let out = '';
  let shown = 0;
  let total = 0;
  for (const ch of text) {
    total++;
    if (shown >= max) continue;
    shown++;
    if (quote && (ch === '"' || ch === '\\')) out += `\\${ch}`;
    else out += UNSAFE.test(ch) ? escapeChar(ch) : ch;
  }
  const body = quote ? `"${out}"` : out;
  return total > max ? `${body}… (${total} characters)` : body;
}

/** An agent-chosen string as people see it: `"quoted, escaped"`, capped. */
export function quoted(text: string, max = NAME_CHARS): string {
  return oneLine(text, max, true);
}

/** A value the server knows (an id, a type) on one line, escaped all the same: it came from outside the process. */
function plain(text: string): string {
  return oneLine(text, NAME_CHARS, false);
}

/** A JSON value (input, query, body) as one escaped line, capped; nesting past a fixed depth is shown as a marker. */
export function jsonLine(value: unknown, max = VALUE_CHARS): string {
  const text = JSON.stringify(sanitize(value)) ?? 'undefined';
  // JSON.stringify already escapes quotes, backslashes and C0 controls; the rest is escaped here.
  return oneLine(text, max, false);
}

/** Ordered label → one-line text: server-known lines first, agent-chosen (quoted) lines last. */
export type CallPreview = Record<string, string>;

/** What every preview starts with: the kind of call, the CRM and the connection (all known to the server). */
interface PreviewHead {
  kind: ActionKind;
  connector: string;
  connectionId: string;
}

function previewHead(p: PreviewHead): CallPreview {
  return { kind: p.kind, connector: plain(p.connector), connectionId: plain(p.connectionId) };
}

export function actionPreview(
  p: PreviewHead & { action: { id: string; key?: string; name: string; type?: string }; input: Record<string, unknown> },
): CallPreview {
  return {
    ...previewHead(p),
    actionId: plain(p.action.id),
    ...(p.action.type ? { actionType: plain(p.action.type) } : {}),
    input: jsonLine(p.input),
    ...(p.action.key ? { actionKey: quoted(p.action.key) } : {}),
    actionName: quoted(p.action.name),
  };
}

export function requestPreview(p: PreviewHead & { method: string; path: string; query?: unknown; body?: unknown }): CallPreview {
  return {
    ...previewHead(p),
    request: `${p.method} ${quoted(p.path, PATH_CHARS)}`,
    ...(p.query !== undefined ? { query: jsonLine(p.query) } : {}),
    ...(p.body !== undefined ? { body: jsonLine(p.body) } : {}),
  };
}

/** The confirmation dialog's text: the question, one `label: value` line per preview entry, and what the quotes mean. */
export function previewMessage(kind: ActionKind, preview: CallPreview): string {
  const lines = Object.entries(preview).map(([label, value]) => `${label}: ${value}`);
  return [`Allow this ${kind} call?`, ...lines, '(Quoted values were chosen by the agent or by whoever built the action.)'].join('\n');
}
