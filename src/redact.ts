// One redaction helper for everything that leaves the process from the CLI's stderr or error output
// (log lines, error excerpts, result details). Tokens, Authorization values and credential fields are
// replaced by a marker that keeps the surrounding text readable.

const MARK = '[REDACTED]';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization / Proxy-Authorization headers, any scheme, to end of line.
  [/\b((?:proxy-)?authorization)(\s*[:=]\s*)("?)[^\r\n"]+/gi, `$1$2$3${MARK}`],
  // Bearer / Basic credentials anywhere.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MARK}`],
  // JSON or key=value credential fields: "accessToken": "…", refresh_token=…, workspaceSecret: …
  [
    /((?:["']?)(?:access[_-]?token|refresh[_-]?token|id[_-]?token|token|api[_-]?key|apikey|secret|client[_-]?secret|workspace[_-]?secret|password|passwd|cookie|set-cookie|session[_-]?id)["']?\s*[:=]\s*)("?)([^"\s,;&}]+)/gi,
    `$1$2${MARK}`,
  ],
  // JWTs (three base64url segments, the first two starting with eyJ).
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, MARK],
  // Well-known token prefixes: Membrane personal tokens, sandbox fake secrets, OpenAI/Stripe-style keys, GitHub tokens.
  [/\b(?:pat-|sbx_secret_|sk-|sk_live_|sk_test_|ghp_|gho_|xox[abp]-)[A-Za-z0-9_-]{6,}/g, MARK],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Redacts every string inside a JSON-like value (for details objects built from CLI output). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
