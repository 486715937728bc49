// One redaction helper for everything that leaves the process from a backend's output (log lines, error
// excerpts, result details). Tokens, Authorization values and credential fields are replaced by a marker that
// keeps the surrounding text readable; so is every secret the server itself was given (addSecret), whatever it
// looks like: a workspace secret follows no pattern.

const MARK = '[REDACTED]';

/** Names of fields that hold credentials, as a regex source (JSON keys, key=value pairs, object keys). */
const CREDENTIAL_KEYS =
  '(?:proxy-)?authorization|access[_-]?token|refresh[_-]?token|id[_-]?token|token|api[_-]?key|apikey|secret|client[_-]?secret|workspace[_-]?secret|password|passwd|cookie|set-cookie|session[_-]?id';

/** Object keys whose values redactDeep replaces whole (`accessToken`, `X-Api-Key`, `Set-Cookie`, …). */
const CREDENTIAL_KEY = new RegExp(`(?:${CREDENTIAL_KEYS})$`, 'i');

type Replacer = string | ((match: string, ...groups: string[]) => string);

/** A word start, also right after a JSON-escaped \n, \r or \t (`"line1\nBearer …"` in JSON text). */
const W = String.raw`(?:\b|(?<=\\[nrt]))`;

const PATTERNS: ReadonlyArray<[RegExp, Replacer]> = [
  // Authorization / Proxy-Authorization headers, any scheme (Digest's quoted params too), to end of line, on a
  // plain-text line (no quote before the header name on that line).
  // (Anchored at the line start and scanned forward once, so it stays linear on long lines.)
  [/^([^"\r\n]*?\b(?:proxy-)?authorization[ \t]*[:=][ \t]*)[^\r\n]+/gim, `$1${MARK}`],
  // The same inside a JSON string: up to the string's closing quote, escaped quotes (\") included, so the text stays JSON.
  [
    new RegExp(String.raw`${W}((?:proxy-)?authorization)(\s*[:=]\s*)("?)(?:[^\r\n"\\]|\\"[^"\\\r\n]*\\"|\\[^"\r\n])+`, 'gi'),
    `$1$2$3${MARK}`,
  ],
  // Bearer / Basic credentials anywhere. A Basic credential is base64 of `user:password`; checking for the colon
  // keeps ordinary text ("requires basic information") readable.
  [
    new RegExp(String.raw`${W}(bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})`, 'gi'),
    (m, scheme, cred) =>
      scheme.toLowerCase() === 'basic' && !Buffer.from(cred, 'base64').toString('latin1').includes(':') ? m : `${scheme} ${MARK}`,
  ],
  // A JSON credential field with a string value: "accessToken": "…", "X-Api-Key": "…" (the whole string).
  [new RegExp(String.raw`("[^"\\\r\n]*?(?:${CREDENTIAL_KEYS})"\s*:\s*)"(?:[^"\\\r\n]|\\.)*"`, 'gi'), `$1"${MARK}"`],
  // Other credential fields: refresh_token=…, workspaceSecret: …, token="…", \"token\":\"…\" (JSON inside a JSON
  // string), "token": 123. A quoted value is replaced whole (spaces and escaped quotes included) so JSON text stays
  // JSON; a quote followed by , ] } or : closes a JSON string (`"…?access_token="`) rather than opening a value. An
  // unterminated quoted value (output cut short by a crash or an excerpt) is redacted up to the next space.
  [
    new RegExp(
      String.raw`((?:["']?)(?:${CREDENTIAL_KEYS})(?:\\?["'])?\s*[:=]\s*)(?:"(?![,\]}:])(?:[^"\\\r\n]|\\.)*"|\\"(?:[^"\\\r\n]|\\[^"])*\\"|'[^'"\r\n]*'|"(?![,\]}:])[^"\s,;&}\\]+|[^"\s,;&}\\{[][^"\s,;&}\\]*)`,
      'gi',
    ),
    (m, prefix: string) => {
      const value = m.slice(prefix.length);
      if (value.startsWith('\\"')) return `${prefix}\\"${MARK}\\"`;
      if (value.startsWith('"')) return `${prefix}"${MARK}"`;
      if (value.startsWith("'")) return `${prefix}'${MARK}'`;
      // A JSON number/true/null after a quoted key becomes a string, so JSON text (or JSON inside a JSON string) stays JSON.
      if (/\\"\s*:\s*$/.test(prefix)) return `${prefix}\\"${MARK}\\"`;
      return /"\s*:\s*$/.test(prefix) ? `${prefix}"${MARK}"` : `${prefix}${MARK}`;
    },
  ],
  // JWTs (three base64url segments, the first two starting with eyJ).
  [new RegExp(String.raw`${W}eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`, 'g'), MARK],
  // Well-known token prefixes: Membrane personal tokens, sandbox fake secrets, OpenAI/Stripe-style keys, GitHub tokens.
  [new RegExp(String.raw`${W}(?:pat-|sbx_secret_|sk-|sk_live_|sk_test_|ghp_|gho_|xox[abp]-)[A-Za-z0-9_-]{6,}`, 'g'), MARK],
];

/** Credentials the server was given (the API token, the workspace secret): hidden wherever they appear. */
const KNOWN_SECRETS = new Set<string>();

/** Shorter values would hide ordinary words; a real token or secret is far longer. */
const MIN_SECRET_LENGTH = 8;

/** Registers a credential the server holds, so that no redacted text can show it (nor its URL-encoded form). */
export function addSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) return;
  KNOWN_SECRETS.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) KNOWN_SECRETS.add(encoded);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of KNOWN_SECRETS) if (out.includes(secret)) out = out.split(secret).join(MARK);
  // One call site: replace() is overloaded on the replacement's type, which a union cannot pick.
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement as string);
  return out;
}

/** Redacts every string inside a JSON-like value (for details objects built from CLI output). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A credential-named key hides its whole value, as redact() does for the same JSON text.
      const hide = CREDENTIAL_KEY.test(k) && (typeof v === 'string' || typeof v === 'number' || Array.isArray(v));
      out[k] = hide ? MARK : redactDeep(v);
    }
    return out as T;
  }
  return value;
}
