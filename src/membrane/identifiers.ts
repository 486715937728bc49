// Shapes of identifiers the server accepts from agents and settings, whatever backend runs the call.

/** Connection and action ids and keys: letters, digits and `_ . : @ -`, never starting with `-` (so never a CLI flag). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

/** An HTTP header name (an RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
