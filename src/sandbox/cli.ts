#!/usr/bin/env node
// membrane-sandbox: a local Membrane CLI over SQLite with emulated AmoCRM and 1CRM.
// This file parses argv, applies faults, dispatches through one command table and prints the
// result. It is the only place that writes to stdout/stderr or sets the exit code.
// Startup cost matters (every tool call of the MCP server is one process): only node builtins and
// better-sqlite3 load eagerly; emulations and ajv are imported when a command needs them.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ArgvProblem, GLOBAL_OPTIONS, OPTION_SPECS, parseArgv, type OptionName, type ParsedArgs } from './args.js';
import { defaultDbPath, openDb, RecordStore, type Db } from './store.js';
import { notAuthenticated, SandboxError, toInternal, usageError } from './error-data.js';
import {
  appendArgvLog,
  CRASH_EXIT_CODE,
  crashPrefix,
  FAULT_NAMES,
  FaultSpecError,
  GARBAGE_TEXT,
  hangForever,
  NO_FAULTS,
  noiseLines,
  parseFaults,
  sleep,
  spawnHangGrandchild,
  type Faults,
} from './faults.js';
import { ensureSeeded } from './seeding.js';
import { whenStdinEnds } from './parent-pipe.js';
import { DEFAULT_BUILD_MS, refusalByFault } from './engine/engine-context.js';
import { readSession } from './session.js';
import type { CommandContext, CommandOutput, CommandSpec } from './commands/command-context.js';

type Handler = CommandSpec['run'];

/** A handler whose module is imported only when its command runs (each module costs startup time). */
function lazy<M>(load: () => Promise<M>, pick: (m: M) => Handler): Handler {
  return async (ctx, args) => pick(await load())(ctx, args);
}

const auth = () => import('./commands/auth-commands.js');
const catalog = () => import('./commands/search-connectors.js');
const connections = () => import('./commands/connection-commands.js');
const actions = () => import('./commands/action-commands.js');
const requests = () => import('./commands/request-command.js');
const maintenance = () => import('./commands/maintenance-commands.js');
const server = () => import('./commands/serve-command.js');

const login = lazy(auth, (m) => m.login);
const loginComplete = lazy(auth, (m) => m.loginComplete);
const status = lazy(auth, (m) => m.status);
const logout = lazy(auth, (m) => m.logout);
const search = lazy(catalog, (m) => m.search);
const connect = lazy(connections, (m) => m.connect);
const connectionList = lazy(connections, (m) => m.connectionList);
const connectionGet = lazy(connections, (m) => m.connectionGet);
const actionList = lazy(actions, (m) => m.actionList);
const actionGet = lazy(actions, (m) => m.actionGet);
const actionCreate = lazy(actions, (m) => m.actionCreate);
const actionRun = lazy(actions, (m) => m.actionRun);
const request = lazy(requests, (m) => m.request);
const sandboxReset = lazy(maintenance, (m) => m.sandboxReset);
const sandboxSeed = lazy(maintenance, (m) => m.sandboxSeed);
const sandboxInfo = lazy(maintenance, (m) => m.sandboxInfo);
const sandboxDisconnect = lazy(maintenance, (m) => m.sandboxDisconnect);
const sandboxRateFill = lazy(maintenance, (m) => m.sandboxRateFill);
const serve = lazy(server, (m) => m.serve);

const ANY = Number.POSITIVE_INFINITY;
const LOGIN_OPTIONS = ['tenant', 'clientName', 'apiUri', 'non-interactive'] as const;

/** Command path → handler, with the synopsis printed on usage errors (exported for the help test). */
export const COMMANDS: readonly CommandSpec[] = [
  {
    path: ['login'],
    synopsis: 'login [--tenant] [--clientName=<name>] [--apiUri=<url>] [--non-interactive] [--json]',
    options: LOGIN_OPTIONS,
    positionals: { min: 0, max: 0 },
    tenant: false,
    run: login,
  },
  {
    path: ['login', 'start'],
    synopsis: 'login start [--tenant] [--clientName=<name>] [--apiUri=<url>] [--json]',
    options: LOGIN_OPTIONS,
    positionals: { min: 0, max: 0 },
    tenant: false,
    run: login,
  },
  {
    path: ['login', 'complete'],
    synopsis: 'login complete <code> [--json]',
    options: [],
    positionals: { min: 1, max: 1 },
    tenant: false,
    run: loginComplete,
  },
  { path: ['status'], synopsis: 'status [--json]', options: [], positionals: { min: 0, max: 0 }, tenant: false, run: status },
  { path: ['logout'], synopsis: 'logout [--json]', options: [], positionals: { min: 0, max: 0 }, tenant: false, run: logout },
  {
    path: ['search'],
    synopsis: 'search <query> [--elementType=connector] [--limit=<n>] [--json]',
    options: ['elementType', 'limit'],
    positionals: { min: 1, max: ANY },
    tenant: true,
    run: search,
  },
  {
    path: ['connect'],
    synopsis:
      'connect (--connectorKey=<key> | --connectorId=<id> | --intent=<text> | --connectionId=<id>) [--name=<name>] [--allowMultipleConnections] [--non-interactive] [--json]',
    options: [
      'connectorKey',
      'connectorId',
      'integrationKey',
      'integrationId',
      'connectionId',
      'connectionKey',
      'intent',
      'name',
      'allowMultipleConnections',
      'non-interactive',
    ],
    positionals: { min: 0, max: 0 },
    tenant: true,
    run: connect,
  },
  {
    path: ['connection', 'list'],
    synopsis: 'connection list [--search=<text>] [--integrationKey=<key>] [--limit=<n>] [--cursor=<cursor>] [--json]',
    options: ['search', 'integrationKey', 'limit', 'cursor'],
    positionals: { min: 0, max: 0 },
    tenant: true,
    run: connectionList,
  },
  {
    path: ['connection', 'get'],
    synopsis: 'connection get <id-or-key> [--wait] [--timeout=<seconds>] [--json]',
    options: ['wait', 'timeout'],
    positionals: { min: 1, max: 1 },
    tenant: true,
    run: connectionGet,
  },
  {
    path: ['action', 'list'],
    synopsis: 'action list [--connectionId=<id> | --connectionKey=<key>] [--intent=<text>] [--limit=<n>] [--cursor=<cursor>] [--json]',
    options: ['connectionId', 'connectionKey', 'intent', 'limit', 'cursor'],
    positionals: { min: 0, max: 0 },
    tenant: true,
    run: actionList,
  },
  {
    path: ['action', 'get'],
    synopsis: 'action get <id-or-key> [--connectionId=<id>] [--wait] [--timeout=<seconds>] [--json]',
    options: ['connectionId', 'connectionKey', 'wait', 'timeout'],
    positionals: { min: 1, max: 1 },
    tenant: true,
    run: actionGet,
  },
  {
    path: ['action', 'create'],
    synopsis: 'action create "<description>" --connectionId=<id> [--name=<name>] [--json]',
    options: ['connectionId', 'connectionKey', 'name', 'intent'],
    positionals: { min: 0, max: ANY },
    tenant: true,
    run: actionCreate,
  },
  {
    path: ['action', 'run'],
    synopsis: "action run <id-or-key> --connectionId=<id> [--input='<json>'] [--json]",
    options: ['connectionId', 'connectionKey', 'input'],
    positionals: { min: 1, max: 1 },
    tenant: true,
    run: actionRun,
  },
  {
    path: ['request'],
    synopsis:
      'request <connectionId> <path> [-X <method>] [-H "<Name: value>"]... [-d <body> | --json <{json}>] [--query k=v]... [--pathParam k=v]... [--rawData] [--json]',
    options: ['method', 'header', 'data', 'query', 'pathParam', 'rawData'],
    positionals: { min: 2, max: 2 },
    tenant: true,
    acceptsJsonBody: true,
    run: request,
  },
  {
    path: ['serve'],
    synopsis: 'serve [--port=<port>] [--host=<host>] [--workspaceKey=<key>] [--tenantKey=<key>]',
    options: ['port', 'host'],
    positionals: { min: 0, max: 0 },
    tenant: false,
    server: true,
    run: serve,
  },
  {
    path: ['sandbox', 'reset'],
    synopsis: 'sandbox reset [--json]',
    options: [],
    positionals: { min: 0, max: 0 },
    tenant: false,
    maintenance: true,
    run: sandboxReset,
  },
  {
    path: ['sandbox', 'seed'],
    synopsis: 'sandbox seed [--json]',
    options: [],
    positionals: { min: 0, max: 0 },
    tenant: false,
    maintenance: true,
    run: sandboxSeed,
  },
  {
    path: ['sandbox', 'info'],
    synopsis: 'sandbox info [--json]',
    options: [],
    positionals: { min: 0, max: 0 },
    tenant: false,
    maintenance: true,
    run: sandboxInfo,
  },
  {
    path: ['sandbox', 'disconnect'],
    synopsis: 'sandbox disconnect <connectionId> [--json]',
    options: [],
    positionals: { min: 1, max: 1 },
    tenant: false,
    maintenance: true,
    run: sandboxDisconnect,
  },
  {
    path: ['sandbox', 'rate-fill'],
    synopsis: 'sandbox rate-fill [--connectorKey=amocrm] [--holdMs=<ms> | --requests=<n>] [--json]',
    options: ['connectorKey', 'holdMs', 'requests'],
    positionals: { min: 0, max: 0 },
    tenant: false,
    maintenance: true,
    run: sandboxRateFill,
  },
];

const GENERAL_SYNOPSIS = `<command> [arguments] [--json]   (commands: ${[...new Set(COMMANDS.map((c) => c.path[0]))].join(', ')}; --help for details)`;

function groupSynopsis(group: string): string {
  const subs = COMMANDS.filter((c) => c.path[0] === group && c.path.length > 1).map((c) => c.path[1]);
  return `${group} <${subs.join('|')}> ...`;
}

/** The command whose words start the positionals (longest match). */
function findCommand(positionals: readonly string[]): CommandSpec {
  let best: CommandSpec | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => positionals[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (best) return best;
  const [first, second] = positionals;
  if (first === undefined) throw usageError('No command given', GENERAL_SYNOPSIS);
  if (COMMANDS.some((c) => c.path[0] === first && c.path.length > 1)) {
    throw usageError(second === undefined ? `Missing ${first} command` : `Unknown ${first} command '${second}'`, groupSynopsis(first));
  }
  throw usageError(`Unknown command '${first}'`, GENERAL_SYNOPSIS);
}

function checkPositionals(spec: CommandSpec, args: ParsedArgs): void {
  const rest = args.rest(spec.path.length);
  if (rest.length < spec.positionals.min) throw new ArgvProblem(`Missing argument for '${spec.path.join(' ')}'`);
  if (rest.length > spec.positionals.max) throw new ArgvProblem(`Unexpected argument '${rest[spec.positionals.max]}'`);
  if (args.jsonBody !== undefined && !spec.acceptsJsonBody) throw new ArgvProblem(`Unexpected argument '${args.jsonBody}' after --json`);
}

interface Printed {
  stdout: string;
  stderr: string[];
  exitCode: number;
}

function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function printedSuccess(out: CommandOutput, json: boolean): Printed {
  const stdout = out.oneLine ? `${JSON.stringify(out.json)}\n` : json ? renderJson(out.json) : out.text ? `${out.text}\n` : '';
  return { stdout, stderr: out.note ? [out.note] : [], exitCode: out.exitCode ?? 0 };
}

function printedError(err: SandboxError, json: boolean): Printed {
  const stderr = [`Error: ${oneLine(err.message)}`];
  if (err.exitCode === 2) stderr.push(`Usage: membrane-sandbox ${err.synopsis ?? GENERAL_SYNOPSIS}`);
  return { stdout: json ? renderJson(err.errorData) : '', stderr, exitCode: err.exitCode };
}

function asSandboxError(err: unknown, synopsis: string): SandboxError {
  if (err instanceof ArgvProblem) return usageError(err.message, synopsis);
  if (err instanceof FaultSpecError) return usageError(err.message, synopsis);
  return toInternal(err);
}

/** Opens the store, seeds on first use, checks the login, runs the handler. */
async function execute(spec: CommandSpec, args: ParsedArgs, faults: Faults, env: NodeJS.ProcessEnv): Promise<Printed> {
  const json = args.flag('json');
  let db: Db | undefined;
  try {
    const dbPath = defaultDbPath(env);
    db = openDb(dbPath);
    const isReset = spec.path[0] === 'sandbox' && spec.path[1] === 'reset';
    const seededNow = isReset ? false : await ensureSeeded(db);
    if (spec.tenant) {
      if (faults.notLoggedIn || !readSession(db)) throw notAuthenticated();
      const refusal = refusalByFault(faults);
      if (refusal) throw refusal;
    }
    const ctx: CommandContext = {
      db,
      store: new RecordStore(db),
      dbPath,
      env,
      faults,
      seededNow,
      now: () => Date.now(),
    };
    return printedSuccess(await spec.run(ctx, args), json);
  } catch (err) {
    return printedError(asSandboxError(err, spec.synopsis), json);
  } finally {
    db?.close();
  }
}

/**
 * How `--help` shows a flag a command accepts but its synopsis leaves out (the synopses stay the
 * short ones usage errors print); a flag missing here is shown as `--name` / `--name=<value>`.
 */
const OPTION_NOTES: Partial<Record<OptionName, string>> = {
  integrationKey: '--integrationKey=<key> (alias of --connectorKey)',
  integrationId: '--integrationId=<id> (alias of --connectorId)',
  connectionKey: '--connectionKey=<key> (a connection id, or a connector key meaning its first connection)',
  intent: '--intent=<text> (the description, instead of the positional)',
  method: '--method=<method> (same as -X)',
  header: '--header="<Name: value>" (same as -H, repeatable)',
  data: '--data=<body> (same as -d)',
};

/** Flags every command takes besides its own, one help line each. */
const GLOBAL_HELP: readonly [string, string][] = [
  ['--json', 'Print the result as JSON on stdout (ErrorData on failure) instead of text.'],
  ['-h, --help', 'Show this help; `membrane-sandbox <command> --help` shows one command.'],
  ['--version', 'Print the version of membrane-sandbox (the membrane-crm-mcp package).'],
  ['--workspaceKey=<key>', 'Accepted like the Membrane CLI and ignored (the sandbox has one workspace), except by `serve`: its key.'],
  ['--tenantKey=<key>', 'Accepted like the Membrane CLI and ignored (the sandbox has one tenant), except by `serve`: its key.'],
];

/** Every option a command accepts that its synopsis does not show, as help text. */
function unlistedOptions(spec: CommandSpec): string[] {
  return spec.options
    .filter((o) => !new RegExp(`--${o}(?![\\w-])`).test(spec.synopsis))
    .map((o) => OPTION_NOTES[o] ?? (OPTION_SPECS[o].type === 'string' ? `--${o}=<value>` : `--${o}`));
}

function commandLines(spec: CommandSpec, indent: string): string[] {
  const extra = unlistedOptions(spec);
  return [`${indent}membrane-sandbox ${spec.synopsis}`, ...(extra.length ? [`${indent}    also: ${extra.join(', ')}`] : [])];
}

/** The environment variables the sandbox reads, with what they do. */
function environmentHelp(env: NodeJS.ProcessEnv): [string, string][] {
  const defaultDb = defaultDbPath({ ...env, MEMBRANE_SANDBOX_DB: undefined });
  return [
    ['MEMBRANE_SANDBOX_DB', `The SQLite file that holds the sandbox's state (default here: ${defaultDb}).`],
    [
      'MEMBRANE_SANDBOX_FAULT',
      `Faults injected into tenant commands and each request \`serve\` answers (never \`sandbox …\`), a comma list of: ${FAULT_NAMES.join(', ')}.`,
    ],
    ['MEMBRANE_SANDBOX_BUILD_MS', `How long a new action stays BUILDING, in milliseconds (default ${DEFAULT_BUILD_MS}).`],
    ['MEMBRANE_SANDBOX_ARGV_LOG', "Append every invocation's argv to this file, one JSON line each."],
    ['MEMBRANE_SANDBOX_WORKSPACE_KEY', '`serve`: the workspace key (default: random per start; --workspaceKey wins).'],
    ['MEMBRANE_SANDBOX_TENANT_KEY', '`serve`: the tenant key tokens must name (default: random per start; --tenantKey wins).'],
    ['MEMBRANE_SANDBOX_WORKSPACE_SECRET', '`serve`: the secret tokens are signed with, HS256 or HS512 (default: random per start).'],
    ['MEMBRANE_SANDBOX_ACCESS_TOKEN', '`serve`: the `pat-…` token it accepts besides JWTs (default: random per start).'],
    [
      'MEMBRANE_SANDBOX_REQUEST_LOG',
      '`serve`: append every request to this file, one JSON line each, written before its answer leaves (never a token).',
    ],
    [
      'MEMBRANE_SANDBOX_LIFELINE',
      '`stdin`: stdin is a pipe held by the parent (the MCP server sets it); when it ends, the command ends with its process group. Unset: stdin is never read.',
    ],
    [
      'MEMBRANE_SANDBOX_ANY_TENANT',
      '`serve`: `1` accepts tokens (signed with the workspace secret) for any tenant key; each other tenant gets its own store, `<db>.tenant-<key>`.',
    ],
  ];
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`);
}

interface Help {
  text: string;
  json: { usage: string[]; options: string[]; environment?: string[] };
}

/** `--help` for one command, or for all of them (with the global flags and the environment). */
function helpFor(spec: CommandSpec | undefined, env: NodeJS.ProcessEnv): Help {
  if (spec) {
    const lines = commandLines(spec, '');
    const globals = `Every command also takes ${GLOBAL_OPTIONS.map((o) => `--${o}`).join(', ')} (membrane-sandbox --help).`;
    return {
      text: [...lines, globals].join('\n'),
      json: { usage: [lines[0]], options: [...lines.slice(1).map((l) => l.trim()), globals] },
    };
  }
  const options = table(GLOBAL_HELP);
  const environment = table(environmentHelp(env));
  const text = [
    'Usage: membrane-sandbox <command> [arguments] [--json]',
    '',
    'An offline stand-in for the Membrane CLI (and, with `serve`, the Membrane REST API): AmoCRM and 1CRM emulations over a local SQLite file.',
    '',
    'Commands:',
    ...COMMANDS.flatMap((c) => commandLines(c, '  ')),
    '',
    'Options of every command:',
    ...options,
    '',
    'Environment:',
    ...environment,
    '',
    'Exit codes: 0 success, 1 error (also `request` answered with HTTP >= 400), 2 usage error.',
  ];
  return {
    text: text.join('\n'),
    json: {
      usage: COMMANDS.map((c) => `membrane-sandbox ${c.synopsis}`),
      options: options.map((l) => l.trim()),
      environment: environment.map((l) => l.trim()),
    },
  };
}

/**
 * The package's version. package.json is two levels up both from src/sandbox/cli.ts and from the
 * bundled bin dist/sandbox/cli.js (this module is that bin's entry file, never a shared chunk, so
 * import.meta.url is the bin's own path, in the repo and in an installed package alike).
 */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * Whether the raw argv asks for JSON output, for errors raised before (or while) parsing it: a bare
 * `--json` or `--json=true`, but not `request`'s `--json <{…}>` body shorthand.
 */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--json=true' || (a === '--json' && !/^[[{]/.test(argv[i + 1] ?? '')));
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<Printed> {
  appendArgvLog(env, argv);

  let args: ParsedArgs;
  let spec: CommandSpec;
  try {
    args = parseArgv(argv);
  } catch (err) {
    return printedError(asSandboxError(err, GENERAL_SYNOPSIS), wantsJson(argv));
  }
  const json = args.flag('json');

  if (args.flag('help') || args.positionals[0] === 'help') {
    const words = args.positionals[0] === 'help' ? args.positionals.slice(1) : args.positionals;
    let target: CommandSpec | undefined;
    try {
      target = words.length > 0 ? findCommand(words) : undefined;
    } catch {
      target = undefined; // unknown command: show them all
    }
    const help = helpFor(target, env);
    return { stdout: json ? renderJson(help.json) : `${help.text}\n`, stderr: [], exitCode: 0 };
  }
  if (args.flag('version')) {
    const version = packageVersion();
    return { stdout: json ? renderJson({ version }) : `${version}\n`, stderr: [], exitCode: 0 };
  }

  try {
    spec = findCommand(args.positionals);
    args.checkOptions(spec.options);
    checkPositionals(spec, args);
  } catch (err) {
    const synopsis = err instanceof ArgvProblem ? safeSynopsis(args) : GENERAL_SYNOPSIS;
    return printedError(err instanceof SandboxError ? err : asSandboxError(err, synopsis), json);
  }

  let faults: Faults = NO_FAULTS;
  if (!spec.maintenance) {
    try {
      faults = parseFaults(env.MEMBRANE_SANDBOX_FAULT);
    } catch (err) {
      return printedError(asSandboxError(err, spec.synopsis), json);
    }
  }

  // A server applies the faults to each request it answers, never to its own start.
  if (spec.server) return execute(spec, args, faults, env);
  if (faults.stderrNoise) for (const line of noiseLines()) process.stderr.write(`${line}\n`);
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  if (faults.hang) {
    await spawnHangGrandchild();
    return hangForever();
  }
  if (faults.garbage) return { stdout: GARBAGE_TEXT, stderr: [], exitCode: 0 };

  const printed = await execute(spec, args, faults, env);
  if (faults.crash) return { stdout: crashPrefix(printed.stdout), stderr: ['Segmentation fault (simulated)'], exitCode: CRASH_EXIT_CODE };
  return printed;
}

/** The synopsis of the command the positionals name, or the general one. */
function safeSynopsis(args: ParsedArgs): string {
  try {
    return findCommand(args.positionals).synopsis;
  } catch {
    return GENERAL_SYNOPSIS;
  }
}

/**
 * MEMBRANE_SANDBOX_LIFELINE=stdin (the MCP server sets it on each CLI call, with a stdin pipe it holds open):
 * when that pipe ends the server is gone, even killed with SIGKILL, so this call ends with everything it
 * spawned (its process group; the server starts it as the group's leader). Unset, stdin is never read, so a
 * command in a shell pipeline is not stopped by its input ending.
 */
function exitWithParent(env: NodeJS.ProcessEnv): void {
  if (env.MEMBRANE_SANDBOX_LIFELINE !== 'stdin') return;
  whenStdinEnds(() => {
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      // Not a group leader: only this process ends.
    }
    process.exit(1);
  }, false);
}

async function run(): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe: that is not an error of the command.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  exitWithParent(process.env);
  let printed: Printed;
  try {
    printed = await main(process.argv.slice(2), process.env);
  } catch (err) {
    printed = printedError(toInternal(err), wantsJson(process.argv.slice(2)));
  }
  // stdout/stderr are synchronous for files and pipes, so the natural exit below loses nothing.
  if (printed.stdout) process.stdout.write(printed.stdout);
  for (const line of printed.stderr) process.stderr.write(`${line}\n`);
  process.exitCode = printed.exitCode;
}

/**
 * Whether this module is the program (`node dist/sandbox/cli.js`, the bin, or its symlink) rather
 * than imported (the help test reads COMMANDS). Both sides go through realpath, so symlinked bins and
 * path spellings compare equal; when argv[1] cannot be resolved, running is the safe default.
 */
function isProgram(): boolean {
  const script = process.argv[1];
  if (!script) return true;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return true;
  }
}

if (isProgram()) void run();
