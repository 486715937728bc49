// Ready-to-paste MCP client configuration for the exact server the doctor checked: the same entry point
// and the settings the user gave explicitly (flags, env vars, --config), all turned into env vars so
// that every client passes them the same way. Paths become absolute: a client starts the server in a
// directory of its own choosing.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SETTINGS, type Settings } from '../config.js';
import { type Backend, isSandbox } from '../membrane/membrane-client.js';

export const SERVER_NAME = 'membrane-crm';
export const PACKAGE_NAME = 'membrane-crm-mcp';

/**
 * Codex's tool_timeout_sec. create_action waits up to 55 s (waitSeconds, default 45) for Membrane to
 * build an action and gives each CLI call 5 s on top; a plain CLI call may take --cli-timeout (60 s by
 * default). Codex's own default, 60 s, would cut a long build off just before it answers.
 */
export const MIN_TOOL_TIMEOUT_SEC = 120;
/** Seconds above --cli-timeout that a tool call may need (queueing, one retry's backoff, rendering). */
const TOOL_TIMEOUT_MARGIN_SEC = 30;
/** The server answers initialize in well under a second; a cold `npx` download needs more. */
export const STARTUP_TIMEOUT_SEC = 20;

/** How a client starts the server. */
export interface LaunchSpec {
  command: string;
  args: string[];
  /** Settings as env vars, in SETTINGS order. */
  env: Record<string, string>;
  /**
   * Credentials the client passes on from its own environment by name (`${NAME}` in Claude Code's .mcp.json,
   * `${env:NAME}` in Cursor's mcp.json, `env_vars` in Codex's config.toml): their values never enter a config file.
   */
  passEnv: string[];
}

export interface ClientConfigs {
  claudeCode: { mcpJson: string; addCommand: string };
  /** toolTimeoutSec: what the TOML sets (`codex mcp add` cannot set it). */
  codex: { toml: string; addCommand: string; toolTimeoutSec: number };
  cursor: { mcpJson: string };
}

/** True when the entry point runs from npx's cache, which npm may clear at any time. */
export function isNpxCache(entry: string): boolean {
  return entry.replace(/\\/g, '/').includes('/_npx/');
}

/** `node /abs/dist/index.js` from a clone or install; `npx -y membrane-crm-mcp@<version>` from npx's cache. */
export function launchCommand(opts: {
  serverEntry: string;
  version: string;
  platform?: NodeJS.Platform;
}): Pick<LaunchSpec, 'command' | 'args'> {
  if (isNpxCache(opts.serverEntry)) {
    const npx = ['-y', `${PACKAGE_NAME}@${opts.version}`];
    // npx is a .cmd shim on Windows: clients spawn without a shell, so it goes through cmd /c.
    return (opts.platform ?? process.platform) === 'win32'
      ? { command: 'cmd', args: ['/c', 'npx', ...npx] }
      : { command: 'npx', args: npx };
  }
  return { command: 'node', args: [opts.serverEntry] };
}

/**
 * Settings a stdio client configuration must not carry: the HTTP transport's (a server started with
 * MEMBRANE_CRM_HTTP_PORT would listen on HTTP, not talk on the client's stdio; a shared state store is for
 * replicas, and its URL may hold a password), and anything that looks like a credential (the doctor prints
 * this configuration).
 */
export const HTTP_KEYS: readonly string[] = ['http', 'host', 'httpToken', 'httpAllowedHosts', 'httpAuth', 'state'];
const NOT_FOR_STDIO_CLIENTS = new Set(HTTP_KEYS);
const SECRET_KEY = /token|secret|password|credential/i;

/** A --config file that sets HTTP keys: passed on, it would make the client's server listen on HTTP. */
export interface HttpConfigFile {
  /** The file's settings (loadConfig validated them moments ago). */
  keys: Record<string, unknown>;
  /** The HTTP keys it sets (names only: never their values, a token among them). */
  httpKeys: string[];
  /** List settings with an entry that holds a comma, which a comma-joined env var cannot carry. */
  commaLists: string[];
}

/**
 * The --config file, when it sets any HTTP key: then the client configuration does not pass the file on
 * but its other keys, as env vars. undefined when there is no file, it sets no HTTP key, or it cannot be
 * read any more (then it is passed on as is).
 */
export function httpConfigFile(settings: Settings): HttpConfigFile | undefined {
  if (!settings.config) return undefined;
  let keys: unknown;
  try {
    // The path as loadConfig read it.
    keys = JSON.parse(readFileSync(settings.config, 'utf8'));
  } catch {
    return undefined;
  }
  if (!keys || typeof keys !== 'object' || Array.isArray(keys)) return undefined;
  const file = keys as Record<string, unknown>;
  const httpKeys = HTTP_KEYS.filter((k) => file[k] !== undefined);
  if (!httpKeys.length) return undefined;
  // Flags and env vars split lists on commas, so an entry with one can only come from the file.
  const commaLists = SETTINGS.filter((s) => s.kind === 'list' && !NOT_FOR_STDIO_CLIENTS.has(s.key))
    .filter((s) => ((settings as Record<string, unknown>)[s.key] as string[]).some((x) => x.includes(',')))
    .map((s) => s.key);
  return { keys: file, httpKeys, commaLists };
}

/** Settings whose values are paths, resolved the way the server resolves them. */
const PATH_KEYS = new Set(['membraneCli', 'cliCwd', 'config']);

/** The setting keys given on the command line (the server's flags; `--no-cache` sets `cache`). */
export function flagKeys(argv: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const token of argv) {
    if (token === '--') break;
    if (token === '--no-cache') keys.add('cache');
    for (const s of SETTINGS) if (token === `--${s.flag}` || token.startsWith(`--${s.flag}=`)) keys.add(s.key);
  }
  return keys;
}

function envValue(key: string, value: unknown, cwd: string, cliCwd: string): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return value.join(',');
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  const text = String(value);
  if (!PATH_KEYS.has(key) || isAbsolute(text)) return text;
  // The server resolves --membrane-cli against the CLI's working directory, the others against its own.
  return key === 'membraneCli' ? resolve(cliCwd, text) : resolve(cwd, text);
}

/**
 * The env vars that reproduce the settings the user gave explicitly (flags and env vars; a config file
 * is passed on as MEMBRANE_CRM_CONFIG, or, when it sets HTTP keys, its other keys become env vars), except
 * the HTTP transport's and credentials. Values are the effective ones after validation, so a flag that
 * overrode an env var shows up with the flag's value. With the sandbox, MEMBRANE_SANDBOX_DB is kept too:
 * the server would otherwise use another database than the one checked.
 */
export function settingsEnv(opts: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  settings: Settings;
  cwd: string;
  backend: Backend;
}): Record<string, string> {
  const fromFlags = flagKeys(opts.argv);
  const inline = httpConfigFile(opts.settings);
  const cliCwd = resolve(opts.cwd, opts.settings.cliCwd ?? '.');
  const out: Record<string, string> = {};
  for (const s of SETTINGS) {
    if (!s.env || NOT_FOR_STDIO_CLIENTS.has(s.key) || SECRET_KEY.test(s.key)) continue;
    if (inline && s.key === 'config') continue;
    const explicit =
      fromFlags.has(s.key) || (opts.env[s.env] !== undefined && opts.env[s.env] !== '') || (!!inline && inline.keys[s.key] !== undefined);
    const value = (opts.settings as Record<string, unknown>)[s.key];
    if (!explicit || value === undefined) continue;
    out[s.env] = envValue(s.key, value, opts.cwd, cliCwd);
  }
  const db = opts.env.MEMBRANE_SANDBOX_DB;
  if (isSandbox(opts.backend) && db) out.MEMBRANE_SANDBOX_DB = resolve(cliCwd, db);
  return out;
}

/**
 * A TOML basic string. JSON's escapes (\" \\ \b \f \n \r \t \uXXXX) are all valid TOML; TOML also
 * forbids a raw DEL (U+007F), which JSON leaves as is.
 */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\x7f/g, '\\u007F');
}

/** A TOML key: bare when it can be, else quoted. */
export function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k);
}

/** A word as the user's shell needs it (POSIX sh; cmd.exe-style double quotes on Windows). */
export function shellWord(word: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (platform === 'win32') return /^[\w@%+=:,./\\-]+$/.test(word) ? word : `"${word.replace(/"/g, '\\"')}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function toolTimeoutSec(settings: Pick<Settings, 'cliTimeout'>): number {
  return Math.max(MIN_TOOL_TIMEOUT_SEC, settings.cliTimeout + TOOL_TIMEOUT_MARGIN_SEC);
}

/** The env block of a JSON config: the settings, then each passed-on credential as the client's reference to it. */
function jsonEnv(spec: LaunchSpec, reference: (name: string) => string): Record<string, string> {
  return { ...spec.env, ...Object.fromEntries(spec.passEnv.map((n) => [n, reference(n)])) };
}

function mcpJson(spec: LaunchSpec, name: string, reference: (name: string) => string): string {
  return JSON.stringify({ mcpServers: { [name]: { command: spec.command, args: spec.args, env: jsonEnv(spec, reference) } } }, null, 2);
}

/** Claude Code expands `${NAME}` in .mcp.json from the environment it was started in. */
const claudeReference = (name: string) => `\${${name}}`;
/** Cursor expands `${env:NAME}` in mcp.json. */
const cursorReference = (name: string) => `\${env:${name}}`;

function codexToml(spec: LaunchSpec, name: string, timeoutSec: number): string {
  const table = `mcp_servers.${tomlKey(name)}`;
  const lines = [
    `[${table}]`,
    `command = ${tomlString(spec.command)}`,
    `args = [${spec.args.map(tomlString).join(', ')}]`,
    `startup_timeout_sec = ${STARTUP_TIMEOUT_SEC}`,
    '# create_action waits up to 55 s (waitSeconds, default 45) for Membrane to build an action, plus ~5 s per',
    `# CLI call, and any call may take --cli-timeout; Codex's default of 60 s would cut them off.`,
    `tool_timeout_sec = ${timeoutSec}`,
  ];
  // Codex passes these variables on from its own environment, under their names.
  if (spec.passEnv.length) lines.push(`env_vars = [${spec.passEnv.map(tomlString).join(', ')}]`);
  const env = Object.entries(spec.env);
  if (env.length) lines.push('', `[${table}.env]`, ...env.map(([k, v]) => `${tomlKey(k)} = ${tomlString(v)}`));
  return lines.join('\n');
}

/**
 * `<tool> mcp add [options] <name> -e K=V … -- <command>`: the name before the env flags (claude's -e takes several
 * values). `references` adds passed-on credentials as the client's reference to them (quoted: the shell must not expand them).
 */
function commandLine(
  tool: string,
  options: string,
  name: string,
  envFlag: string,
  spec: LaunchSpec,
  platform: NodeJS.Platform,
  references: Record<string, string> = {},
): string {
  const env = Object.entries({ ...spec.env, ...references }).map(([k, v]) => ` ${envFlag} ${shellWord(`${k}=${v}`, platform)}`);
  return `${tool} mcp add ${options}${name}${env.join('')} -- ${[spec.command, ...spec.args].map((w) => shellWord(w, platform)).join(' ')}`;
}

export function renderClientConfigs(
  spec: LaunchSpec,
  opts: { settings: Pick<Settings, 'cliTimeout'>; name?: string; platform?: NodeJS.Platform },
): ClientConfigs {
  const name = opts.name ?? SERVER_NAME;
  const platform = opts.platform ?? process.platform;
  const timeout = toolTimeoutSec(opts.settings);
  const claudeRefs = Object.fromEntries(spec.passEnv.map((n) => [n, claudeReference(n)]));
  return {
    // -s user: every project (without a scope, claude writes the local scope: this project only, in ~/.claude.json).
    // Passed-on credentials: -s project, since Claude Code documents `${NAME}` expansion for the project's .mcp.json only.
    claudeCode: {
      mcpJson: mcpJson(spec, name, claudeReference),
      addCommand: commandLine('claude', spec.passEnv.length ? '-s project ' : '-s user ', name, '-e', spec, platform, claudeRefs),
    },
    codex: {
      toml: codexToml(spec, name, timeout),
      addCommand: commandLine('codex', '', name, '--env', spec, platform),
      toolTimeoutSec: timeout,
    },
    cursor: { mcpJson: mcpJson(spec, name, cursorReference) },
  };
}
