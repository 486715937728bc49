// proxy_request may only reach the connector's own API: the path must stay a relative API path and the
// headers may not carry credentials or redirect the request. Each refusal names the rule it broke.
import { ToolError } from '../errors.js';
import { HEADER_NAME } from '../membrane/identifiers.js';

const GENERAL_STEP = 'Use a relative API path such as /api/v4/leads/123, put query parameters in `query`, and leave auth to Membrane.';

function refuse(rule: string, field: string, message: string, nextStep = GENERAL_STEP): ToolError {
  return new ToolError('INVALID_INPUT', `${message} (rule: ${rule})`, {
    nextStep,
    retryable: false,
    details: { fields: [{ field, problem: message, rule }] },
  });
}

// C0 controls, DEL, C1 controls, and Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is this check's job
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Decodes percent-escapes until stable (catches %252e%252e), or throws on a malformed escape at any level. */
function fullyDecoded(path: string): string {
  let current = path;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw refuse('valid-percent-encoding', 'path', 'path has a malformed percent-escape');
    }
    if (next === current) return current;
    current = next;
  }
  throw refuse('valid-percent-encoding', 'path', 'path is percent-encoded more than 4 times over');
}

export function checkPath(path: string): void {
  if (CONTROL.test(path)) throw refuse('no-control-characters', 'path', 'path contains a control character');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) throw refuse('no-scheme', 'path', 'path must not contain a scheme such as https:');
  if (!path.startsWith('/')) throw refuse('relative-path', 'path', 'path must start with "/"');
  if (path.includes('\\')) throw refuse('no-backslash', 'path', 'path must not contain a backslash');
  if (path.includes('//')) throw refuse('no-double-slash', 'path', 'path must not contain "//" (it could name another host)');
  if (/[?#]/.test(path)) throw refuse('no-query-or-fragment', 'path', 'path must not contain "?" or "#"; pass query parameters in `query`');
  const decoded = fullyDecoded(path);
  if (CONTROL.test(decoded)) throw refuse('no-control-characters', 'path', 'path contains an encoded control character');
  if (decoded.includes('\\')) throw refuse('no-backslash', 'path', 'path contains an encoded backslash');
  if (decoded.includes('//')) throw refuse('no-double-slash', 'path', 'path decodes to "//"');
  // A first segment like "http:" would become a scheme if the path ever lost its leading slash.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(decoded.slice(1))) throw refuse('no-scheme', 'path', 'path (decoded) starts with a scheme');
  if (/[?#]/.test(decoded)) throw refuse('no-query-or-fragment', 'path', 'path contains an encoded "?" or "#"');
  if (decoded.split('/').some((seg) => seg === '..' || seg === '.')) {
    throw refuse('no-dot-segments', 'path', 'path must not contain "." or ".." segments');
  }
}

/** Replaces `{name}` placeholders with percent-encoded values; unknown or missing names are refused. */
export function applyPathParams(path: string, params: Record<string, string | number> | undefined): string {
  const used = new Set<string>();
  const out = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_whole, name: string) => {
    // Own properties only: `{__proto__}` must not find Object.prototype.
    if (!params || !Object.hasOwn(params, name))
      throw refuse('path-params', `pathParams.${name}`, `path has {${name}} but pathParams has no "${name}"`);
    used.add(name);
    return encodeURIComponent(String(params[name]));
  });
  for (const name of Object.keys(params ?? {})) {
    if (!used.has(name)) throw refuse('path-params', `pathParams.${name}`, `pathParams.${name} has no {${name}} placeholder in path`);
  }
  return out;
}

/**
 * The longest query string a request may carry, percent-encoded. Servers and gateways in front of APIs refuse longer
 * URLs (8 KB is a common default; Membrane's own limit is not published), so a longer query is refused here with the
 * way out, the same on every backend, instead of failing somewhere on the way with a bare 414 or 431.
 */
export const MAX_QUERY_CHARS = 8000;

/**
 * Query keys go to the CLI as `key=value` pairs: a key holding `=` or `&` would be split again there, so the
 * request sent would differ from the one previewed and confirmed. A NUL in a value cannot go into a CLI argument.
 */
export function checkQuery(query: Record<string, unknown> | undefined): void {
  let encoded = 0;
  for (const [key, value] of Object.entries(query ?? {})) {
    if (CONTROL.test(key))
      throw refuse('no-control-characters', `query.${key}`, `query key ${JSON.stringify(key)} contains a control character`);
    if (/[=&]/.test(key)) {
      throw refuse(
        'query-key',
        `query.${key}`,
        `query key ${JSON.stringify(key)} contains "=" or "&"`,
        'Pass each parameter as its own key of `query`.',
      );
    }
    for (const one of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const text = String(one);
      if (text.includes('\u0000'))
        throw refuse('no-control-characters', `query.${key}`, `query value of ${JSON.stringify(key)} contains a NUL character`);
      encoded += encodeURIComponent(key).length + encodeURIComponent(text).length + 2;
    }
  }
  if (encoded > MAX_QUERY_CHARS) {
    throw refuse(
      'query-length',
      'query',
      `the query is longer than ${MAX_QUERY_CHARS} characters once encoded`,
      'Send fewer or shorter query values (page through results, or narrow with a filter the API offers), or use a POST search endpoint with a body if the API has one.',
    );
  }
}

/** GET and HEAD carry no body: an API that acted on one would slip past --read-only and confirmation. */
export function checkBody(method: string, body: unknown): void {
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw refuse(
      'no-body-on-read',
      'body',
      `${method} requests may not have a body`,
      'Put the parameters of a read in `query`, or use POST if the API expects a body.',
    );
  }
}

const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'cookie',
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'expect',
  'forwarded',
  // A GET that the API treats as another method would slip past --read-only, --deny-methods and confirmation.
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

export function checkHeaders(headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value))
      throw refuse('no-crlf', `headers.${name}`, `header ${JSON.stringify(name)} contains CR or LF`);
    if (!HEADER_NAME.test(name)) throw refuse('header-name', `headers.${name}`, `header name ${JSON.stringify(name)} is not a valid token`);
    if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('x-forwarded-')) {
      throw refuse('forbidden-header', `headers.${name}`, `header "${name}" may not be set; Membrane injects authentication and routing`);
    }
    // eslint-disable-next-line no-control-regex -- finding control characters is this check's job
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
      throw refuse('no-control-characters', `headers.${name}`, `header "${name}" value contains a control character`);
    }
  }
}
