// Shapes of identifiers and tokens the server accepts from agents, callers and settings, whatever backend runs the call.

/** Connection and action ids and keys: letters, digits and `_ . : @ -`, never starting with `-` (so never a CLI flag). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

/** An HTTP header name (an RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The shape of a Membrane object id (a 24-hex ObjectId; the sandbox mints the same). Membrane resolves a
 * selector as an id first and as a key second, so a key of this shape could stand for another action's id.
 */
const OBJECT_ID = /^[0-9a-f]{24}$/i;

export function looksLikeObjectId(value: string): boolean {
  return OBJECT_ID.test(value.trim());
}

/** A Membrane access token's shape: `pat-…`, or three base64url segments of which the first two are JSON (a JWT). */
export function looksLikeToken(token: string): boolean {
  if (token.startsWith('pat-')) return token.length > 4;
  const parts = token.split('.');
  return parts.length === 3 && parts.slice(0, 2).every((p) => /^eyJ[A-Za-z0-9_-]+$/.test(p));
}
