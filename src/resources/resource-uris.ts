// The resources the server offers, by URI: a connector's action catalog, one action with its full schemas,
// and the stored rest of a truncated result. Parsed strictly: anything else is not ours.
import { RESULT_URI_TEMPLATE } from '../results/result-store.js';

export const CATALOG_URI_TEMPLATE = 'membrane://{connector}/actions';
export const ACTION_URI_TEMPLATE = 'membrane://{connector}/actions/{actionId}';
export { RESULT_URI_TEMPLATE };

export type ResourceAddress =
  | { kind: 'catalog'; connector: string }
  | { kind: 'action'; connector: string; actionId: string }
  | { kind: 'result'; resultId: string; offset: number };

export function catalogUri(connector: string): string {
  return `membrane://${encodeURIComponent(connector)}/actions`;
}

export function actionUri(connector: string, actionId: string): string {
  return `${catalogUri(connector)}/${encodeURIComponent(actionId)}`;
}

const RESULT = /^membrane:\/\/results\/(r_[A-Za-z0-9_-]{6,40})(?:\?offset=(\d{1,9}))?$/;
const ACTIONS = /^membrane:\/\/([^/?#]{1,100})\/actions(?:\/([^/?#]{1,300}))?$/;

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** What a URI names, or undefined when it is not one of ours. */
export function parseResourceUri(uri: string): ResourceAddress | undefined {
  const result = RESULT.exec(uri);
  if (result) return { kind: 'result', resultId: result[1], offset: Number(result[2] ?? 0) };
  const actions = ACTIONS.exec(uri);
  if (!actions) return undefined;
  const connector = decoded(actions[1]);
  if (connector === undefined) return undefined;
  if (actions[2] === undefined) return { kind: 'catalog', connector };
  const actionId = decoded(actions[2]);
  return actionId === undefined ? undefined : { kind: 'action', connector, actionId };
}
