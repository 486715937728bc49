// `request <connectionId> <path>`: a proxied call to the emulated CRM's REST API. Prints
// `{status, headers, body}`; exit 1 (with the same document) when the status is ≥ 400.
// Argv in (method, headers, body, placeholders, extra query), the engine's proxy does the rest.
import { ArgvProblem, type ParsedArgs } from '../args.js';
import type { HttpRequest } from '../emulator-types.js';
import { invalidInput } from '../error-data.js';
import { proxyRequest } from '../engine/proxy-engine.js';
import { engineOf, pretty, type CommandContext, type CommandOutput } from './command-context.js';

const METHODS: readonly HttpRequest['method'][] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** -X/--method, default GET even with a body: the contract says "Default GET" [SEEN S1], unlike curl. */
function parseMethod(raw: string | undefined): HttpRequest['method'] {
  const m = (raw ?? 'GET').toUpperCase();
  if (!(METHODS as readonly string[]).includes(m)) throw new ArgvProblem(`-X/--method must be one of ${METHODS.join(', ')}, got '${raw}'`);
  return m as HttpRequest['method'];
}

/** `-H "Name: value"` → lower-cased name; a repeated header keeps every value, comma-joined. */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!name || /\s/.test(name)) throw new ArgvProblem(`-H/--header must look like "Name: value", got '${line}'`);
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function splitPair(pair: string, flag: string, requireEquals: boolean): [string, string] {
  const eq = pair.indexOf('=');
  if (eq < 0) {
    if (requireEquals) throw new ArgvProblem(`${flag} must look like key=value, got '${pair}'`);
    return [pair, ''];
  }
  if (eq === 0) throw new ArgvProblem(`${flag} must look like key=value, got '${pair}'`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** `--pathParam k=v`: fills `{k}` in the path (percent-encoded); a key without a placeholder is a usage error. */
function placeholderFiller(pairs: readonly string[]): (path: string) => string {
  return (path) => {
    for (const pair of pairs) {
      const [key, value] = splitPair(pair, '--pathParam', true);
      const placeholder = `{${key}}`;
      if (!path.includes(placeholder)) throw new ArgvProblem(`--pathParam ${key}: the path has no ${placeholder} placeholder`);
      path = path.split(placeholder).join(encodeURIComponent(value));
    }
    return path;
  };
}

/**
 * The body as the CRM sees it on the wire: parsed JSON when the text is JSON, the string otherwise
 * (HttpRequest's rule). `--json '{…}'` must be JSON. Without --rawData, a JSON `-d` also gets
 * `Content-Type: application/json` unless a type was given; --rawData leaves the headers alone.
 */
function requestBody(args: ParsedArgs, headers: Record<string, string>): unknown {
  const data = args.string('data');
  if (args.jsonBody !== undefined && data !== undefined) throw new ArgvProblem('Give the body once: -d/--data or --json, not both');
  if (args.jsonBody !== undefined) {
    let body: unknown;
    try {
      body = JSON.parse(args.jsonBody);
    } catch (err) {
      throw invalidInput(`Invalid JSON in --json body: ${(err as Error).message}`);
    }
    headers['content-type'] ??= 'application/json';
    return body;
  }
  if (data === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return data;
  }
  // Membrane's proxy sends structured data as JSON, so say so unless the caller chose a type.
  if (!args.flag('rawData')) headers['content-type'] ??= 'application/json';
  return body;
}

function bodyText(body: unknown): string {
  if (body === null || body === undefined) return '';
  return typeof body === 'string' ? body : pretty(body);
}

export async function request(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const [connectionId, rawPath] = args.rest(1);
  const headers = parseHeaders(args.strings('header'));
  const body = requestBody(args, headers);
  const method = parseMethod(args.string('method'));
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    process.stderr.write(`membrane-sandbox: a body was given with ${method}; pass -X POST (or PUT/PATCH) to send it\n`);
  }
  const response = await proxyRequest(engineOf(ctx), {
    connectionId,
    method,
    rawPath,
    fillPath: placeholderFiller(args.strings('pathParam')),
    extraQuery: args.strings('query').map((pair) => splitPair(pair, '--query', false)),
    headers,
    body,
  });
  const doc = {
    status: response.status,
    headers: response.headers,
    body: method === 'HEAD' || response.body === undefined ? null : response.body,
  };
  const failed = response.status >= 400;
  return { json: doc, text: bodyText(doc.body), ...(failed ? { exitCode: 1 as const, note: `HTTP ${response.status}` } : {}) };
}
