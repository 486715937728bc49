// Argument parsing on node:util parseArgs, minimist-like: `--k=v` and `--k v`, short -X -H -d,
// repeatable flags, positionals anywhere. parseArgs runs non-strict (so unknown flags reach us as
// tokens instead of exceptions) and `checkOptions` then rejects what the command does not accept.
// A string option always takes the next token as its value, even one that starts with `-`
// (`--input --help`, `--intent "-X DELETE"`): a value can never turn into a flag.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

/** Every flag any command knows. Each command lists the subset it accepts. */
export const OPTION_SPECS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  workspaceKey: { type: 'string' },
  tenantKey: { type: 'string' },
  // login
  tenant: { type: 'boolean' },
  clientName: { type: 'string' },
  apiUri: { type: 'string' },
  'non-interactive': { type: 'boolean' },
  // search, lists
  elementType: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  search: { type: 'string' },
  // connect, connections
  connectorKey: { type: 'string' },
  connectorId: { type: 'string' },
  integrationKey: { type: 'string' },
  integrationId: { type: 'string' },
  connectionId: { type: 'string' },
  connectionKey: { type: 'string' },
  holdMs: { type: 'string' },
  requests: { type: 'string' },
  name: { type: 'string' },
  allowMultipleConnections: { type: 'boolean' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  // actions
  intent: { type: 'string' },
  input: { type: 'string' },
  // request
  method: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  query: { type: 'string', multiple: true },
  pathParam: { type: 'string', multiple: true },
  rawData: { type: 'boolean' },
  // serve
  port: { type: 'string' },
  host: { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

/** Flags every command accepts (`--help` and `--version` answer before any command runs). */
export const GLOBAL_OPTIONS: readonly OptionName[] = ['json', 'help', 'version', 'workspaceKey', 'tenantKey'];

/** A problem with the command line; cli.ts turns it into a usage error (exit 2) with the right synopsis. */
export class ArgvProblem extends Error {
  override name = 'ArgvProblem';
}

interface GivenOption {
  /** Canonical name for known options, the typed name for unknown ones. */
  name: string;
  /** As typed: `--input`, `-X`. */
  rawName: string;
  known: boolean;
}

export class ParsedArgs {
  constructor(
    readonly positionals: string[],
    private readonly stringValues: Map<string, string[]>,
    private readonly booleanValues: Set<string>,
    readonly given: GivenOption[],
    /** `request --json '{…}'`: the curl-style JSON body, when one was given. */
    readonly jsonBody: string | undefined,
  ) {}

  flag(name: OptionName): boolean {
    return this.booleanValues.has(name);
  }

  /** Last value of a string option (a repeated single-valued flag keeps the last, like minimist). */
  string(name: OptionName): string | undefined {
    const values = this.stringValues.get(name);
    return values?.[values.length - 1];
  }

  strings(name: OptionName): string[] {
    return this.stringValues.get(name) ?? [];
  }

  /** Positionals after the command path. */
  rest(pathLength: number): string[] {
    return this.positionals.slice(pathLength);
  }

  /** Throws ArgvProblem when an option is given that the command does not accept. */
  checkOptions(allowed: readonly OptionName[]): void {
    const ok = new Set<string>([...GLOBAL_OPTIONS, ...allowed]);
    for (const g of this.given) {
      if (!g.known || !ok.has(g.name)) throw new ArgvProblem(`Unknown option ${g.rawName}`);
    }
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false };

function looksLikeJsonBody(token: string | undefined): token is string {
  return token !== undefined && /^\s*[[{]/.test(token);
}

export function parseArgv(argv: string[]): ParsedArgs {
  const { tokens } = parseArgs({
    args: argv,
    options: OPTION_SPECS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });

  const strings = new Map<string, string[]>();
  const booleans = new Set<string>();
  const given: GivenOption[] = [];
  const positionals: string[] = [];
  let jsonBody: string | undefined;
  // Index (in argv) of a positional consumed as the `--json <body>` value.
  let consumedIndex = -1;

  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (token.index !== consumedIndex) positionals.push(token.value);
      continue;
    }
    const spec: OptionSpec | undefined = (OPTION_SPECS as Record<string, OptionSpec>)[token.name];
    given.push({ name: token.name, rawName: token.rawName, known: spec !== undefined });
    if (!spec) continue;

    if (spec.type === 'string') {
      if (token.value === undefined) throw new ArgvProblem(`Option ${token.rawName} needs a value`);
      const list = strings.get(token.name) ?? [];
      list.push(token.value);
      strings.set(token.name, list);
      continue;
    }

    // Boolean flag. `--json` followed by `{…}`/`[…]` (or `--json={…}`) is curl's JSON-body shorthand;
    // only `request` accepts a body, every other command rejects it as an extra argument.
    if (token.name === 'json') {
      if (token.inlineValue && looksLikeJsonBody(token.value)) {
        jsonBody = token.value;
        continue;
      }
      const next = argv[token.index + 1];
      if (!token.inlineValue && looksLikeJsonBody(next)) {
        jsonBody = next;
        consumedIndex = token.index + 1;
        continue;
      }
    }
    if (token.inlineValue) {
      const word = BOOLEAN_WORDS[String(token.value).toLowerCase()];
      if (word === undefined) throw new ArgvProblem(`Option ${token.rawName} does not take a value`);
      if (word) booleans.add(token.name);
      else booleans.delete(token.name);
      continue;
    }
    booleans.add(token.name);
  }

  return new ParsedArgs(positionals, strings, booleans, given, jsonBody);
}

/** `--limit`-style flags: a whole number in [min, max]. */
export function parseIntFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new ArgvProblem(`--${flag} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new ArgvProblem(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** `--timeout=<seconds>`: a positive number of seconds, at most `max`. */
export function parseSecondsFlag(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max || value.trim() === '') {
    throw new ArgvProblem(`--${flag} must be a number of seconds in (0, ${max}], got '${value}'`);
  }
  return n;
}
