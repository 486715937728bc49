// Budgeted results with explicit truncation: `truncated: {returned, total, omitted, nextOffset, resultId, nextStep}`
// says exactly which call returns the rest, and the rest is served from the ResultStore.
import { ToolError } from '../errors.js';
import { type AS_TEXT, type Cut, type Fitted, type JsonPath, fitToBudget, pageItems, setAt, textSlice } from './budget.js';
import { RESOURCE_READER, type ResultStore, type StoredResult, resultUri } from './result-store.js';

export interface Truncated {
  returned: number;
  total: number;
  omitted: number;
  /** What `returned` and `total` count: items of the array at `path`, or characters of the JSON text. */
  unit: 'items' | 'characters';
  path?: string;
  nextOffset?: number;
  resultId?: string;
  shortenedStrings?: number;
  nextStep: string;
}

/** Why the rest of a cut result has no resultId: too large to keep, or the shared state store did not answer. */
type Unkept = 'too-large' | 'state-unavailable';

function describe(cut: Cut, tool: string, resultId: string | undefined, unkept: Unkept = 'too-large'): Truncated {
  const unit = cut.pageable.kind === 'items' ? 'items' : 'characters';
  const nextOffset = cut.offset + cut.returned;
  const omitted = Math.max(0, cut.total - nextOffset);
  // The path is for reading only (paging uses the stored one): capped so hostile keys cannot break the budget.
  const fullPath = cut.pageable.kind === 'items' ? cut.pageable.path.join('.') : undefined;
  const path = fullPath !== undefined && fullPath.length > 120 ? `${fullPath.slice(0, 119)}…` : fullPath;
  const steps: string[] = [];
  if (cut.pageable.kind === 'items') {
    steps.push(`Returned ${unit} ${cut.offset + 1}–${nextOffset} of ${cut.total} in ${path || 'the result'}.`);
  } else if (cut.returned > 0) {
    steps.push(`Returned characters ${cut.offset}–${nextOffset} of the result's ${cut.total}-character JSON text (field jsonText).`);
  }
  if (cut.shortenedStrings) steps.push(`${cut.shortenedStrings} long text value(s) were shortened, marked "…[N more characters]".`);
  if (cut.deepValues) steps.push(`${cut.deepValues} value(s) nested too deep were replaced by a "[nested deeper than …]" marker.`);
  // A preview (returned 0 at offset 0) is followed by the full JSON text from offset 0; at the end there is nothing more.
  const preview = cut.pageable.kind === 'text' && cut.returned === 0 && cut.offset < cut.total;
  const more = omitted > 0 || preview;
  if (more && resultId && tool === RESOURCE_READER) {
    steps.push(`For the rest read the resource ${resultUri(resultId, nextOffset)} (no CRM call is repeated; valid 10 minutes).`);
  } else if (more && resultId) {
    steps.push(
      `For the rest call ${tool} with {"resultId":"${resultId}","offset":${nextOffset}} (no CRM call is repeated; valid 10 minutes).`,
    );
  } else if (more && unkept === 'state-unavailable') {
    steps.push(
      'The rest could not be kept: the shared state store did not answer (STATE_UNAVAILABLE). Repeat the call in a few seconds to page it, or narrow it.',
    );
  } else if (more) {
    steps.push('The full result was too large to keep; narrow the call (a smaller limit, a filter, fewer fields).');
  } else {
    steps.push('This is the last part.');
  }
  return {
    returned: cut.returned,
    total: cut.total,
    omitted,
    unit,
    ...(path !== undefined ? { path } : {}),
    ...(omitted > 0 ? { nextOffset } : {}),
    ...(resultId && more ? { resultId } : {}),
    ...(cut.shortenedStrings ? { shortenedStrings: cut.shortenedStrings } : {}),
    nextStep: steps.join(' '),
  };
}

function withTruncation(fitted: Fitted, tool: string, resultId: string | undefined, unkept?: Unkept): Record<string, unknown> {
  if (!fitted.cut) return fitted.value;
  return { ...fitted.value, truncated: describe(fitted.cut, tool, resultId, unkept) };
}

/**
 * Stores the rest of a cut result. A store that does not answer must not fail the call: its CRM work is done
 * (a write may have been applied), so the first part is returned and the result says the rest was not kept.
 */
async function keep(store: ResultStore, value: StoredResult): Promise<{ resultId?: string; unkept?: Unkept }> {
  try {
    return { resultId: await store.put(value) };
  } catch (e) {
    if (e instanceof ToolError && e.code === 'STATE_UNAVAILABLE') return { unkept: 'state-unavailable' };
    throw e;
  }
}

/**
 * Fits `doc` into the budget. When cut, the full payload goes to the store and the result says how to page.
 * `fixed` fields (backend, connector, ids) are kept outside the budgeted part so they are never cut.
 */
export async function budgetResult(
  tool: string,
  fixed: Record<string, unknown>,
  payload: Record<string, unknown>,
  maxChars: number,
  store: ResultStore,
  preferred?: JsonPath | typeof AS_TEXT,
): Promise<Record<string, unknown>> {
  const room = maxChars - JSON.stringify(fixed).length;
  const fitted = fitToBudget(payload, room, preferred);
  if (!fitted.cut) return { ...fixed, ...fitted.value };
  // The template keeps the shape around the paged array; the array itself is stored once, in pageable.
  const template = fitted.cut.pageable.kind === 'items' ? (setAt(payload, fitted.cut.pageable.path, []) as Record<string, unknown>) : {};
  const { resultId, unkept } = await keep(store, { tool, template, pageable: fitted.cut.pageable });
  return { ...fixed, ...withTruncation(fitted, tool, resultId, unkept) };
}

/** NOT_FOUND for a resultId the store does not hold (never kept, expired, or another tenant's). */
export function missingResult(resultId: string): ToolError {
  return new ToolError('NOT_FOUND', `No stored result "${resultId}" (results are kept 10 minutes)`, {
    nextStep: 'Repeat the original call to get a fresh result.',
    retryable: false,
    about: 'result',
  });
}

/** The slice of a stored result starting at `offset`. */
export async function pageResult(
  tool: string,
  fixed: Record<string, unknown>,
  resultId: string,
  offset: number,
  maxChars: number,
  store: ResultStore,
): Promise<Record<string, unknown>> {
  const stored = await store.get(resultId);
  if (!stored) throw missingResult(resultId);
  if (stored.tool !== tool) {
    throw new ToolError('INVALID_INPUT', `resultId "${resultId}" belongs to ${stored.tool}, not ${tool}`, {
      nextStep: `Call ${stored.tool} with this resultId.`,
      retryable: false,
      details: { fields: [{ field: 'resultId', problem: `use it with ${stored.tool}` }] },
    });
  }
  const room = maxChars - JSON.stringify(fixed).length;
  const { pageable } = stored;
  const total = pageable.kind === 'items' ? pageable.items.length : pageable.text.length;
  if (offset > total) {
    throw new ToolError(
      'INVALID_INPUT',
      `offset ${offset} is past the end (${total} ${pageable.kind === 'items' ? 'items' : 'characters'})`,
      {
        retryable: false,
        details: { fields: [{ field: 'offset', problem: `must be between 0 and ${total}` }] },
      },
    );
  }
  let fitted: Fitted;
  if (pageable.kind === 'items') {
    fitted = pageItems(stored.template, pageable.path, pageable.items, offset, room);
  } else {
    const slice = textSlice(pageable.text, offset, room);
    fitted = { value: slice.value, cut: { pageable, offset, returned: slice.returned, total, shortenedStrings: 0 } };
  }
  // A page of items that does not fit even one whole item falls back to the JSON text of the rest: that text is
  // a new stored result, so the next step's character offset is read against the text, not the item list.
  let kept: { resultId?: string; unkept?: Unkept } = { resultId };
  if (pageable.kind === 'items' && fitted.cut?.pageable.kind === 'text')
    kept = await keep(store, { tool, template: {}, pageable: fitted.cut.pageable });
  // The last page is still described ("This is the last part."), so the agent knows it has everything.
  return { ...fixed, ...withTruncation(fitted, tool, kept.resultId, kept.unkept) };
}
