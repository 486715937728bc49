// All settings in one table: flag, env var, config-file key, type, default, description.
// Precedence: command-line flag > environment variable > config file (--config) > default.
// The README's configuration table is generated from SETTINGS (scripts/gen-docs.mjs), so it cannot drift.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveConnectors } from './connectors.js';
import { LOG_LEVELS } from './log.js';
import { ID_PATTERN } from './membrane/identifiers.js';
import { stateLocationProblem } from './state/state-location.js';

type Kind = 'string' | 'boolean' | 'int' | 'number' | 'list' | 'map';

export interface SettingSpec {
  /** Key in Settings and in the JSON config file. */
  key: string;
  flag: string;
  env?: string;
  kind: Kind;
  /** Shown in --help and the README. */
  description: string;
  /** Default as shown to users. */
  shownDefault: string;
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'connectors',
    flag: 'connectors',
    env: 'MEMBRANE_CRM_CONNECTORS',
    kind: 'list',
    shownDefault: 'amocrm,1crm',
    description:
      'Connectors to expose (comma list of Membrane connector keys). Built in: `amocrm`, `1crm`; any other key gets the generic tools.',
  },
  {
    key: 'membraneCli',
    flag: 'membrane-cli',
    env: 'MEMBRANE_CLI',
    kind: 'string',
    shownDefault: '`membrane` on PATH',
    description: 'Path of the Membrane CLI. A `.js`/`.mjs` file runs with the current Node.',
  },
  {
    key: 'sandbox',
    flag: 'sandbox',
    env: 'MEMBRANE_CRM_SANDBOX',
    kind: 'boolean',
    shownDefault: 'off (on when neither API credentials nor a CLI are found)',
    description:
      'Use the bundled `membrane-sandbox` (offline AmoCRM and 1CRM emulation) instead of Membrane: through its REST API, started by the server on 127.0.0.1 (`sandbox-api`); with `--backend=cli`, through its CLI (`sandbox-cli`).',
  },
  {
    key: 'backend',
    flag: 'backend',
    env: 'MEMBRANE_CRM_BACKEND',
    kind: 'string',
    shownDefault: 'auto',
    description:
      'How to reach Membrane: `api` (its REST API, with the credentials of `MEMBRANE_ACCESS_TOKEN`, or `MEMBRANE_WORKSPACE_KEY` + `MEMBRANE_WORKSPACE_SECRET` + `MEMBRANE_TENANT_KEY`), `cli` (the `membrane` CLI), `auto` (API credentials set → api; else a CLI found → cli; else the sandbox through its REST API). With `--sandbox`: `cli` runs the sandbox through its CLI, the others through its REST API.',
  },
  {
    key: 'apiUri',
    flag: 'api-uri',
    env: 'MEMBRANE_API_URI',
    kind: 'string',
    shownDefault: 'https://api.getmembrane.com',
    description: 'Address of the Membrane REST API for the api backend (`http` or `https`), e.g. a self-hosted Membrane.',
  },
  {
    key: 'defaultConnections',
    flag: 'default-connection',
    env: 'MEMBRANE_CRM_DEFAULT_CONNECTION',
    kind: 'map',
    shownDefault: 'none',
    description:
      'Default connection per connector, `amocrm=<id>` (repeat the flag, or comma list in the env var). Also vouches for a connection whose connector the backend does not name.',
  },
  {
    key: 'toolMode',
    flag: 'tool-mode',
    env: 'MEMBRANE_CRM_TOOL_MODE',
    kind: 'string',
    shownDefault: 'per-connector',
    description:
      '`per-connector`: five tools per connector (`amocrm_run_action`…). `shared`: five `crm_*` tools with a `connector` argument, for many connectors.',
  },
  {
    key: 'readOnly',
    flag: 'read-only',
    env: 'MEMBRANE_CRM_READ_ONLY',
    kind: 'boolean',
    shownDefault: 'off',
    description:
      'Run only actions whose Membrane type proves they read, and GET/HEAD proxy requests (no body); everything else returns POLICY_DENIED. `create_action` is not offered.',
  },
  {
    key: 'allowActions',
    flag: 'allow-actions',
    env: 'MEMBRANE_CRM_ALLOW_ACTIONS',
    kind: 'list',
    shownDefault: 'all',
    description:
      'Only these actions may run: globs over `connector:key`, `connector:id` or `connector:type`, e.g. `amocrm:list-*,1crm:get-*`. A key match admits only proven reads; allow a write by its type (`amocrm:create-data-record`) or id.',
  },
  {
    key: 'denyActions',
    flag: 'deny-actions',
    env: 'MEMBRANE_CRM_DENY_ACTIONS',
    kind: 'list',
    shownDefault: 'none',
    description:
      'These actions never run and are hidden from search: globs over `connector:key`, `connector:id` or `connector:type`, e.g. `1crm:delete-*`.',
  },
  {
    key: 'denyMethods',
    flag: 'deny-methods',
    env: 'MEMBRANE_CRM_DENY_METHODS',
    kind: 'list',
    shownDefault: 'none',
    description: 'HTTP methods `proxy_request` refuses, e.g. `DELETE,PUT`; `connector:METHOD` limits a rule to one connector.',
  },
  {
    key: 'confirm',
    flag: 'confirm',
    env: 'MEMBRANE_CRM_CONFIRM',
    kind: 'string',
    shownDefault: 'destructive',
    description: 'Which calls need confirmation: `destructive` (deletes and unknown actions), `writes` (every change), `never`.',
  },
  {
    key: 'maxResultChars',
    flag: 'max-result-chars',
    env: 'MEMBRANE_CRM_MAX_RESULT_CHARS',
    kind: 'int',
    shownDefault: '20000',
    description:
      'Output budget per result, in characters of JSON text (about 4 characters per token); announced on every tool as _meta["anthropic/maxResultSizeChars"] (plus 1,000).',
  },
  {
    key: 'cliTimeout',
    flag: 'cli-timeout',
    env: 'MEMBRANE_CRM_CLI_TIMEOUT',
    kind: 'int',
    shownDefault: '60',
    description:
      'Seconds one Membrane call (a CLI process or an API request, queue wait included) may take before it is stopped with TIMEOUT.',
  },
  {
    key: 'cliMaxOutputMb',
    flag: 'cli-max-output-mb',
    env: 'MEMBRANE_CRM_CLI_MAX_OUTPUT_MB',
    kind: 'number',
    shownDefault: '16',
    description: 'Output cap per call in MB (CLI output or API response); beyond it the call fails with OUTPUT_TOO_LARGE.',
  },
  {
    key: 'maxConcurrency',
    flag: 'max-concurrency',
    env: 'MEMBRANE_CRM_MAX_CONCURRENCY',
    kind: 'int',
    shownDefault: '4',
    description: 'Membrane calls running at once (CLI processes or API requests); further calls wait in a FIFO queue.',
  },
  {
    key: 'cliCwd',
    flag: 'cli-cwd',
    env: 'MEMBRANE_CRM_CLI_CWD',
    kind: 'string',
    shownDefault: 'start directory',
    description: 'Working directory of every CLI call (the CLI reads `.membrane/config.json` from it).',
  },
  {
    key: 'cache',
    flag: 'cache',
    env: 'MEMBRANE_CRM_CACHE',
    kind: 'boolean',
    shownDefault: 'on',
    description: 'Cache the connection list (30 s) and action metadata (5 min). `--no-cache` turns it off.',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'MEMBRANE_CRM_LOG_LEVEL',
    kind: 'string',
    shownDefault: 'info',
    description: 'stderr log level: `debug`, `info`, `warning`, `error`.',
  },
  {
    key: 'http',
    flag: 'http',
    env: 'MEMBRANE_CRM_HTTP_PORT',
    kind: 'int',
    shownDefault: 'off (stdio)',
    description:
      'Serve MCP over Streamable HTTP at `http://<host>:<port>/mcp` instead of stdio (`0` picks a free port; the URL is logged).',
  },
  {
    key: 'host',
    flag: 'host',
    env: 'MEMBRANE_CRM_HTTP_HOST',
    kind: 'string',
    shownDefault: '127.0.0.1',
    description:
      'Address `--http` listens on. A non-loopback address needs authenticated requests: `--http-token`, or `--http-auth membrane` (each caller brings its own Membrane token); otherwise it is refused.',
  },
  {
    key: 'httpToken',
    flag: 'http-token',
    env: 'MEMBRANE_CRM_HTTP_TOKEN',
    kind: 'string',
    shownDefault: 'none',
    description:
      'Bearer token every HTTP request must carry (`Authorization: Bearer <token>`), at least 16 characters. Prefer the env var: flags show in `ps`.',
  },
  {
    key: 'httpAuth',
    flag: 'http-auth',
    env: 'MEMBRANE_CRM_HTTP_AUTH',
    kind: 'string',
    shownDefault: 'token',
    description:
      "Whose credentials `--http` uses. `token`: the server's own (one user; requests carry `--http-token` when it is set). `membrane`: each request's bearer token is the caller's own Membrane access token (JWT or `pat-`), used for that request only: one server, many tenants, no secrets held.",
  },
  {
    key: 'httpAllowedHosts',
    flag: 'http-allowed-hosts',
    env: 'MEMBRANE_CRM_HTTP_ALLOWED_HOSTS',
    kind: 'list',
    shownDefault: 'localhost,127.0.0.1,[::1] on loopback',
    description:
      'Host header names `--http` accepts (DNS-rebinding protection). Set it when clients reach a non-loopback `--host` by name.',
  },
  {
    key: 'stateSecret',
    flag: 'state-secret',
    env: 'MEMBRANE_CRM_STATE_SECRET',
    kind: 'string',
    shownDefault: 'random per process',
    description:
      'Key (at least 32 characters) that signs what a confirmation dialog carries between requests. Replicas that share state must share it. Prefer the env var.',
  },
  {
    key: 'state',
    flag: 'state',
    env: 'MEMBRANE_CRM_STATE',
    kind: 'string',
    shownDefault: 'memory',
    description:
      'Where result pages, confirmation tokens and the repeat guard live: `memory` (this process), or a Redis URL `redis://[user:password@]host:port/db` (`rediss://` for TLS) that replicas share. Prefer the env var when the URL holds a password.',
  },
  {
    key: 'config',
    flag: 'config',
    env: 'MEMBRANE_CRM_CONFIG',
    kind: 'string',
    shownDefault: 'none',
    description:
      'JSON file with any of these settings under their camelCase keys (e.g. `{"readOnly": true, "denyActions": ["1crm:delete-*"]}`).',
  },
];

const connectorKey = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a Membrane connector key: lower-case letters, digits, - and _');

/** The validated settings. Also the schema of the --config file (strict: unknown keys are errors). */
export const SettingsSchema = z.strictObject({
  connectors: z.array(connectorKey).min(1).default(['amocrm', '1crm']),
  membraneCli: z.string().min(1).optional(),
  sandbox: z.boolean().default(false),
  backend: z.enum(['auto', 'api', 'cli']).default('auto'),
  apiUri: z
    .string()
    .refine((v) => {
      try {
        const url = new URL(v);
        return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
      } catch {
        return false;
      }
    }, 'an http:// or https:// URL without credentials in it, e.g. https://api.getmembrane.com')
    .optional(),
  defaultConnections: z.record(connectorKey, z.string().regex(ID_PATTERN, 'a connection id')).default({}),
  toolMode: z.enum(['per-connector', 'shared']).default('per-connector'),
  readOnly: z.boolean().default(false),
  allowActions: z.array(z.string().min(1)).default([]),
  denyActions: z.array(z.string().min(1)).default([]),
  denyMethods: z.array(z.string().regex(/^([a-z0-9_-]+:)?[A-Za-z]+$/, 'METHOD or connector:METHOD')).default([]),
  confirm: z.enum(['destructive', 'writes', 'never']).default('destructive'),
  maxResultChars: z.number().int().min(2000).max(1_000_000).default(20_000),
  cliTimeout: z.number().int().min(1).max(3600).default(60),
  cliMaxOutputMb: z.number().min(0.01).max(1024).default(16),
  maxConcurrency: z.number().int().min(1).max(64).default(4),
  cliCwd: z.string().min(1).optional(),
  cache: z.boolean().default(true),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  http: z.number().int().min(0).max(65535).optional(),
  // `[::1]` is how URLs write an IPv6 address; listen() and URL building want it bare.
  host: z
    .string()
    .min(1)
    .transform((h) => h.replace(/^\[(.*)\]$/, '$1'))
    .default('127.0.0.1'),
  httpToken: z.string().min(16, 'at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  httpAllowedHosts: z
    .array(
      z
        .string()
        .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/, 'a host name or address without scheme or port, e.g. crm.internal or [::1]'),
    )
    .default([]),
  stateSecret: z.string().min(32, 'at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  httpAuth: z.enum(['token', 'membrane']).default('token'),
  state: z
    .string()
    .superRefine((v, ctx) => {
      const problem = stateLocationProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('memory'),
  config: z.string().optional(),
});

/** Loopback addresses: only this machine can connect, so --http needs no token there. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export type Settings = z.infer<typeof SettingsSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseBool(raw: string, where: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${where}: expected true/false, got "${raw}"`);
}

function parseList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseMapEntries(entries: string[], where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries.flatMap(parseList)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${where}: expected connector=connectionId, got "${entry}"`);
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  }
  return out;
}

/** Converts a string from a flag or env var to the setting's type. */
function fromString(spec: SettingSpec, raw: string | string[], where: string): unknown {
  const values = Array.isArray(raw) ? raw : [raw];
  const last = values[values.length - 1];
  switch (spec.kind) {
    case 'boolean':
      return parseBool(last, where);
    case 'int': {
      if (!/^\s*-?\d+\s*$/.test(last)) throw new ConfigError(`${where}: expected a whole number, got "${last}"`);
      return Number(last);
    }
    case 'number': {
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(last)) throw new ConfigError(`${where}: expected a number, got "${last}"`);
      return Number(last);
    }
    case 'list':
      return values.flatMap(parseList);
    case 'map':
      return parseMapEntries(values, where);
    case 'string':
      return last;
  }
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  if (issue.code === 'unrecognized_keys') {
    const known = SETTINGS.map((s) => s.key);
    return issue.keys
      .map((k) => {
        const hint = known.find((c) => c.toLowerCase() === k.toLowerCase() || levenshtein(c, k) <= 2);
        return `${source}: "${k}" is not a known setting${hint ? ` (did you mean "${hint}"?)` : ''}`;
      })
      .join('; ');
  }
  const path = issue.path.join('.');
  const spec = SETTINGS.find((s) => s.key === issue.path[0]);
  const where = spec ? `${path} (--${spec.flag}${spec.env ? ` / ${spec.env}` : ''})` : path;
  return `${source}: ${where}: ${issue.message}`;
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // V8 quotes a piece of the file in its message; the file may hold a token, so keep only the reason.
    const reason = (e as Error).message.replace(/,\s*(\.\.\.)?".*$/s, '');
    throw new ConfigError(`Config file ${path} is not valid JSON (${reason})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${path} must contain a JSON object of settings`);
  }
  return parsed as Record<string, unknown>;
}

export interface LoadedConfig {
  settings: Settings;
  help: boolean;
  version: boolean;
}

/** Reads flags, env and the config file into validated Settings. Throws ConfigError with a message naming the bad key. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
    version: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
  };
  for (const s of SETTINGS) {
    options[s.flag] = { type: s.kind === 'boolean' ? 'boolean' : 'string', multiple: s.kind === 'list' || s.kind === 'map' };
  }
  let flags: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new ConfigError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
  // --help and --version answer even when a setting elsewhere (env, config file) is broken.
  if (flags.help === true || flags.version === true) {
    return { settings: SettingsSchema.parse({}), help: flags.help === true, version: flags.version === true };
  }

  const fromEnv: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = s.env ? env[s.env] : undefined;
    if (raw !== undefined && raw !== '') fromEnv[s.key] = fromString(s, raw, s.env!);
  }
  const fromFlags: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = flags[s.flag];
    if (raw === undefined) continue;
    fromFlags[s.key] = s.kind === 'boolean' ? raw === true : fromString(s, raw as string | string[], `--${s.flag}`);
  }
  if (flags['no-cache'] === true) fromFlags.cache = false;

  const configPath = (fromFlags.config ?? fromEnv.config) as string | undefined;
  const fromFile = configPath ? readConfigFile(configPath) : {};
  const fileCheck = SettingsSchema.partial().safeParse(fromFile);
  if (!fileCheck.success) {
    throw new ConfigError(fileCheck.error.issues.map((i) => describeIssue(i, `Config file ${configPath}`)).join('; '));
  }

  const merged = { ...fromFile, ...fromEnv, ...fromFlags };
  const result = SettingsSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, 'Settings')).join('; '));
  }
  const strays = Object.keys(result.data.defaultConnections).filter((k) => !result.data.connectors.includes(k));
  if (strays.length) {
    throw new ConfigError(
      `Settings: defaultConnections (--default-connection / MEMBRANE_CRM_DEFAULT_CONNECTION) names ${strays.map((k) => `"${k}"`).join(', ')}, not among the enabled connectors (${result.data.connectors.join(', ')})`,
    );
  }
  try {
    resolveConnectors(result.data.connectors);
  } catch (e) {
    throw new ConfigError(`Settings: connectors (--connectors / MEMBRANE_CRM_CONNECTORS): ${(e as Error).message}`);
  }
  const { http, host, httpToken, httpAuth } = result.data;
  if (httpAuth === 'membrane') checkCallerAuth(result.data);
  if (http !== undefined && !isLoopbackHost(host) && !httpToken && httpAuth !== 'membrane') {
    throw new ConfigError(
      `Settings: --host ${host} is not a loopback address, so anyone who can reach it could use your CRM through this server. ` +
        'Set a bearer token with MEMBRANE_CRM_HTTP_TOKEN (or --http-token), let every caller bring their own Membrane token (--http-auth membrane), or keep the default --host 127.0.0.1',
    );
  }
  return { settings: result.data, help: false, version: false };
}

/**
 * `--http-auth membrane` takes each caller's Membrane token from the Authorization header: it needs --http and the
 * REST API, and leaves no room for a shared --http-token (one header cannot carry both).
 */
function checkCallerAuth(settings: Settings): void {
  const refuse = (why: string) => {
    throw new ConfigError(`Settings: --http-auth membrane (MEMBRANE_CRM_HTTP_AUTH) ${why}`);
  };
  if (settings.http === undefined) refuse('is for --http: over stdio there is no request to carry a token; set --http <port>');
  if (settings.httpToken)
    refuse(
      "uses the Authorization header for each caller's own Membrane token, so there is no room for a shared --http-token: drop MEMBRANE_CRM_HTTP_TOKEN (or --http-token)",
    );
  if (settings.sandbox) refuse('needs the Membrane REST API; the sandbox has no per-caller tokens to check: drop --sandbox');
  if (settings.backend === 'cli') refuse("calls Membrane's REST API with each caller's token: drop --backend=cli");
}

export function usage(): string {
  const lines = [
    'Usage: membrane-crm-mcp [options]            MCP server on stdio (or Streamable HTTP with --http <port>)',
    '       membrane-crm-mcp doctor [options] [--json]',
    '                                             check Node, the CLI, login, connections and latency; print client config',
    '',
    'MCP server for CRMs (AmoCRM, 1CRM, any Membrane connector) through Membrane: its REST API or its CLI.',
    'Without API credentials or a Membrane CLI it uses the bundled membrane-sandbox (offline emulation) through its REST API.',
    '',
    'Options (flag > environment variable > --config file > default):',
  ];
  for (const s of SETTINGS) {
    const flag =
      s.kind === 'boolean'
        ? `--${s.flag}`
        : `--${s.flag} <${s.kind === 'map' ? 'connector=id' : s.kind === 'int' || s.kind === 'number' ? 'n' : 'value'}>`;
    lines.push(
      `  ${flag.padEnd(34)} ${s.description.replace(/`/g, '')}${s.env ? ` [env ${s.env}]` : ''} (default: ${s.shownDefault.replace(/`/g, '')})`,
    );
  }
  lines.push(
    `  ${'--no-cache'.padEnd(34)} Turn caching off.`,
    `  ${'--help'.padEnd(34)} Show this help.`,
    `  ${'--version'.padEnd(34)} Show the version.`,
  );
  return lines.join('\n');
}
