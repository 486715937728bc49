// The doctor's checks, in order: Node, settings, which CLI, its version, login, connections per enabled
// connector, latency. They run the CLI through the server's own runner and adapter, so the doctor sees
// what the tools would see.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Settings } from '../config.js';
import { resolveConnectors, type Connector } from '../connectors.js';
import { ToolError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { CliMembraneClient } from '../membrane/cli-client.js';
import { excerpt, findJson } from '../membrane/output.js';
import { resolveCli, type ResolvedCli } from '../membrane/resolve.js';
import { CliRunner, type ProcessResult } from '../membrane/runner.js';
import { toErrorData } from '../membrane/schemas.js';
import type { Backend, Connection } from '../membrane/types.js';
import { redact } from '../redact.js';
import { ConnectionDirectory, isReady } from '../tools/connections.js';
import { shellWord } from './client-config.js';
import type { Check, ConnectionSummary } from './types.js';

export const REQUIRED_NODE_MAJOR = 20;
/** `<cli> --version` gets this long. */
export const VERSION_TIMEOUT_MS = 10_000;
/** `<cli> status --json` gets this long (it may ask Membrane). */
export const STATUS_TIMEOUT_MS = 15_000;
/** `connection list` gets at most this long (less when --cli-timeout is lower). */
export const LIST_TIMEOUT_MS = 30_000;
/** A round trip slower than this makes every tool call feel slow. */
export const SLOW_MS = 3000;
/** Per-connector tool mode with more connectors than this gives a client 5 × n tools. */
const MANY_CONNECTORS = 6;

const INSTALL_CLI = 'npm install -g @membranehq/cli';

export interface CheckContext {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** The directory the server would start in (the doctor's own cwd). */
  cwd: string;
  /** Path of the bundled sandbox's cli.js. */
  sandboxCli: string;
}

export interface CheckResults {
  checks: Check[];
  backend?: Backend;
  cli?: { display: string; path?: string; version?: string };
  connections: Record<string, ConnectionSummary[]>;
  latencyMs?: number;
  /** What the latency was measured on. */
  latencySource?: 'connection list' | 'status';
}

// ---------------------------------------------------------------- node, config

export function nodeCheck(version: string = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  if (Number.isFinite(major) && major >= REQUIRED_NODE_MAJOR) {
    return { id: 'node', title: 'Node', status: 'ok', summary: `v${version} (>= ${REQUIRED_NODE_MAJOR} required)` };
  }
  return {
    id: 'node',
    title: 'Node',
    status: 'fail',
    summary: `v${version} is too old: membrane-crm-mcp needs Node ${REQUIRED_NODE_MAJOR} or newer`,
    fix: `Install Node ${REQUIRED_NODE_MAJOR}+ (https://nodejs.org, or \`nvm install ${REQUIRED_NODE_MAJOR}\`) and make it the \`node\` your MCP client starts.`,
  };
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

export function configCheck(settings: Settings): Check {
  const details: string[] = [];
  if (settings.config) details.push(`config file: ${settings.config}`);
  for (const [k, id] of Object.entries(settings.defaultConnections)) details.push(`default connection for ${k}: ${id}`);
  if (settings.allowActions.length) details.push(`allowed actions: ${settings.allowActions.join(', ')}`);
  if (settings.denyActions.length) details.push(`denied actions: ${settings.denyActions.join(', ')}`);
  if (settings.denyMethods.length) details.push(`denied proxy methods: ${settings.denyMethods.join(', ')}`);
  if (settings.cliCwd) details.push(`CLI working directory: ${settings.cliCwd}`);
  // Never the token itself: only whether one is set.
  if (settings.http !== undefined) details.push(`transport: Streamable HTTP on ${settings.host}:${settings.http || '<any free port>'} (${settings.httpToken ? 'bearer token set' : 'no token'})`);
  const summary =
    `connectors ${settings.connectors.join(', ')}; tool mode ${settings.toolMode}; read-only ${onOff(settings.readOnly)}; ` +
    `confirm ${settings.confirm}; CLI timeout ${settings.cliTimeout} s`;
  const check: Check = { id: 'config', title: 'Settings', status: 'ok', summary, ...(details.length ? { details } : {}) };
  if (settings.toolMode === 'per-connector' && settings.connectors.length > MANY_CONNECTORS) {
    return {
      ...check,
      status: 'warn',
      summary: `${summary} (${settings.connectors.length * 5} tools)`,
      fix: `${settings.connectors.length} connectors in per-connector mode give ${settings.connectors.length * 5} tools, more than many clients handle well: add --tool-mode=shared (MEMBRANE_CRM_TOOL_MODE=shared) for five crm_* tools.`,
    };
  }
  return check;
}

// ---------------------------------------------------------------- cli

function isExecutable(path: string): boolean {
  if (process.platform === 'win32') return true;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The file the resolved command runs: the CLI's script for `node <cli.js>`, else the executable. */
function cliPath(cli: ResolvedCli): string {
  return cli.command.file === process.execPath && cli.command.prefixArgs.length ? cli.command.prefixArgs[0] : cli.command.file;
}

/** How the user types the CLI in a terminal, for fixes: the exact sandbox command, or the configured path. */
export function userCommand(cli: ResolvedCli, explicitPath: boolean): string {
  if (cli.backend === 'sandbox' || !explicitPath) return cli.command.display;
  const path = cliPath(cli);
  return cli.command.file === process.execPath ? `node ${shellWord(path)}` : shellWord(path);
}

interface CliFound {
  check: Check;
  cli: ResolvedCli;
  /** The command to show in fixes. */
  command: string;
  runnable: boolean;
  cwd: string;
}

export function cliCheck(ctx: CheckContext): CliFound {
  const { settings } = ctx;
  const cwd = settings.cliCwd ?? ctx.cwd;
  const cli = resolveCli({ sandbox: settings.sandbox, membraneCli: settings.membraneCli, cwd, sandboxCli: ctx.sandboxCli }, ctx.env);
  const explicitPath = cli.backend === 'membrane' && !!settings.membraneCli;
  const command = userCommand(cli, explicitPath);
  const path = cliPath(cli);
  const details = [`command: ${command}`];
  const base = { id: 'cli', title: 'CLI', details };
  const failed = (summary: string, fix: string): CliFound => ({ check: { ...base, status: 'fail', summary, fix }, cli, command, runnable: false, cwd });

  if (settings.cliCwd && !(existsSync(cwd) && statSync(cwd).isDirectory())) {
    return failed(`the CLI working directory ${cwd} does not exist`, 'Point --cli-cwd (MEMBRANE_CRM_CLI_CWD) at an existing directory, or drop it to use the start directory.');
  }
  if (cli.backend === 'sandbox') {
    if (!existsSync(path)) return failed(`the bundled sandbox is missing (${path})`, 'Rebuild membrane-crm-mcp (`npm run build` in a clone) or reinstall it.');
    if (cli.fallback) {
      return {
        check: {
          ...base,
          status: 'warn',
          summary: 'no Membrane CLI found (no --membrane-cli, no `membrane` on PATH): the server would use the bundled SANDBOX, with demo data, not your CRM',
          fix: `Install the Membrane CLI: \`${INSTALL_CLI}\`, then \`membrane login --tenant\`, and run doctor again. To use the sandbox on purpose, pass --sandbox (MEMBRANE_CRM_SANDBOX=1).`,
        },
        cli,
        command,
        runnable: true,
        cwd,
      };
    }
    return { check: { ...base, status: 'ok', summary: 'sandbox (--sandbox / MEMBRANE_CRM_SANDBOX): offline AmoCRM and 1CRM emulation' }, cli, command, runnable: true, cwd };
  }
  if (explicitPath) {
    const fix = `Point --membrane-cli (MEMBRANE_CLI) at the Membrane CLI (\`which membrane\` shows it), or install it: \`${INSTALL_CLI}\`.`;
    if (!existsSync(path)) return failed(`--membrane-cli: ${path} does not exist`, fix);
    if (!statSync(path).isFile()) return failed(`--membrane-cli: ${path} is not a file`, fix);
    const js = ['.js', '.mjs', '.cjs'].includes(extname(path).toLowerCase());
    if (!js && !isExecutable(path)) return failed(`--membrane-cli: ${path} is not executable`, `Make it executable: \`chmod +x ${shellWord(path)}\`, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`);
    return { check: { ...base, status: 'ok', summary: `Membrane CLI at ${path} (--membrane-cli / MEMBRANE_CLI)` }, cli, command, runnable: true, cwd };
  }
  return { check: { ...base, status: 'ok', summary: `Membrane CLI found on PATH: ${path}` }, cli, command, runnable: true, cwd };
}

// ---------------------------------------------------------------- running the CLI

/** A logger that keeps the doctor's output clean (the checks report what matters). */
function quietLogger(): Logger {
  return createLogger({ level: 'error', write: () => {} });
}

/** A fix for the user, from a next step written for the agent ("Ask the user to run …"). */
export function userFix(nextStep: string | undefined): string | undefined {
  if (!nextStep) return undefined;
  const m = /^Ask the user to (\w)/.exec(nextStep);
  const text = m ? `${m[1].toUpperCase()}${nextStep.slice(m[0].length)}` : nextStep;
  return redact(text);
}

/**
 * A check failed by an error of the runner or the adapter. The summary names the CLI command in short
 * (`status`), the fix gives the full command to run by hand. Next steps written for agents become fixes
 * for people; a login or a timeout gets the doctor's own fix.
 */
function errorCheck(id: string, title: string, e: unknown, args: string, found: CliFound): Check {
  const full = `${found.command} ${args}`;
  const byHand = `Run \`${full}\` yourself to see the whole output.`;
  if (!(e instanceof ToolError)) {
    return { id, title, status: 'fail', summary: `\`${args}\` failed: ${redact(e instanceof Error ? e.message : String(e))}`, fix: byHand };
  }
  const output = typeof e.details?.excerpt === 'string' && e.details.excerpt.trim() ? ` (${excerpt(errorLine(e.details.excerpt), 100)})` : '';
  let fix: string;
  switch (e.code) {
    case 'LOGIN_REQUIRED':
      fix = loginFix(found);
      break;
    case 'TIMEOUT':
      fix = `The CLI did not answer in time: run \`${full}\` yourself to see where it stops (no network to Membrane? an interactive prompt?).`;
      break;
    case 'CLI_NOT_FOUND':
    case 'CONNECTION_NEEDS_USER_ACTION':
      fix = userFix(e.nextStep) ?? byHand;
      break;
    default:
      fix = e.nextStep ? `${userFix(e.nextStep)} ${byHand}` : byHand;
  }
  return { id, title, status: 'fail', summary: `\`${args}\` failed: ${e.code}: ${redact(e.message)}${output}`, fix };
}

function firstLine(text: string): string {
  return excerpt(redact(text.trim().split(/\r?\n/)[0] ?? ''), 120);
}

/** The line of an error output that says what went wrong (a Node crash starts with a stack location). */
function errorLine(text: string): string {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return excerpt(redact(lines.find((l) => /\berror\b/i.test(l)) ?? lines[0] ?? ''), 160);
}

function versionCheck(result: ProcessResult, found: CliFound): Check {
  const base = { id: 'cli-version', title: 'CLI version' };
  const version = result.exitCode === 0 ? firstLine(result.stdout) : '';
  if (version) return { ...base, status: 'ok', summary: version };
  const why = result.exitCode === 0 ? 'printed nothing' : `exited ${result.exitCode ?? result.signal}${result.stderr.trim() ? `: ${errorLine(result.stderr)}` : ''}`;
  return {
    ...base,
    status: 'warn',
    summary: `version unknown (\`--version\` ${why})`,
    fix:
      found.cli.backend === 'sandbox'
        ? 'The bundled sandbox predates `--version`: update membrane-crm-mcp (a clone: `git pull && npm ci`).'
        : `Update the Membrane CLI: \`${INSTALL_CLI}@latest\`.`,
  };
}

interface Login {
  check: Check;
  /** false when the CLI said it is not logged in; undefined when unknown. */
  loggedIn?: boolean;
  /** `status` ran out of time: the next call would too. */
  timedOut?: boolean;
}

function loginFix(found: CliFound): string {
  const c = found.command;
  return found.cli.backend === 'sandbox'
    ? `Run \`${c} login --tenant\`, then \`${c} login complete <code>\` with the code it prints.`
    : `Run \`${c} login --tenant\` (add --clientName=<claude|codex|cursor>; headless: open the printed URL, then \`${c} login complete <code>\`).`;
}

function who(doc: Record<string, unknown>): string {
  const user = doc.user && typeof doc.user === 'object' ? (doc.user as Record<string, unknown>) : undefined;
  const name = typeof user?.name === 'string' ? user.name : undefined;
  const email = typeof user?.email === 'string' ? user.email : undefined;
  const where = [typeof doc.workspaceKey === 'string' ? `workspace ${doc.workspaceKey}` : '', typeof doc.tenantKey === 'string' ? `tenant ${doc.tenantKey}` : '']
    .filter(Boolean)
    .join(', ');
  const person = name && email ? `${name} <${email}>` : (name ?? email);
  return redact(`logged in${person ? ` as ${person}` : ''}${where ? ` (${where})` : ''}`);
}

export function loginCheck(result: ProcessResult, found: CliFound): Login {
  const base = { id: 'login', title: 'Login' };
  const notLoggedIn = (summary: string): Login => ({ check: { ...base, status: 'fail', summary, fix: loginFix(found) }, loggedIn: false });
  // A banner before the JSON is tolerated, and an error document may come on stderr (as for every command).
  const parsed = findJson(result.stdout);
  const onStderr = parsed.found ? parsed : findJson(result.stderr);
  const doc = onStderr.found ? onStderr.value : undefined;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && typeof (doc as { loggedIn?: unknown }).loggedIn === 'boolean') {
    const o = doc as Record<string, unknown>;
    if (!o.loggedIn) return notLoggedIn('not logged in');
    const details = [typeof o.apiUri === 'string' ? `API: ${redact(o.apiUri)}` : '', typeof o.db === 'string' ? `sandbox database: ${o.db}` : ''].filter(Boolean);
    return { check: { ...base, status: 'ok', summary: who(o), ...(details.length ? { details } : {}) }, loggedIn: true };
  }
  const err = toErrorData(doc);
  const text = `${result.stdout}\n${result.stderr}`;
  if (err?.key?.toLowerCase() === 'not_authenticated' || /not logged in|not authenticated|login required/i.test(err?.message ?? text)) {
    return notLoggedIn(`not logged in${err ? ` (${firstLine(err.message)})` : ''}`);
  }
  if (result.exitCode === 0 && /\blogged in\b/i.test(text)) return { check: { ...base, status: 'ok', summary: firstLine(text.trim()) }, loggedIn: true };
  const why = err ? firstLine(err.message) : result.exitCode !== 0 ? `exited ${result.exitCode ?? result.signal}: ${errorLine(result.stderr || result.stdout) || 'no output'}` : `printed ${firstLine(result.stdout) ? `"${firstLine(result.stdout)}"` : 'nothing'}`;
  return {
    check: {
      ...base,
      status: 'warn',
      summary: `login state unknown: \`status --json\` ${why}`,
      fix: `Run \`${found.command} status\` to see the login state (to log in: \`${found.command} login --tenant\`).`,
    },
  };
}

// ---------------------------------------------------------------- connections

/** What the user does about a connection that is not READY, by state. */
export function connectionFix(c: Connection, connector: Connector, found: Pick<CliFound, 'command' | 'cli'>): string {
  const cmd = found.command;
  const reconnect = `\`${cmd} connect --connectionId=${c.id}\``;
  const error = c.error ? ` (${redact(c.error)})` : '';
  switch (c.state) {
    case 'BUILDING':
      return `"${c.name}" is still being set up: wait a moment, check with \`${cmd} connection get ${c.id}\`, then run doctor again.`;
    case 'DISCONNECTING':
      return `"${c.name}" is being removed: connect again with \`${cmd} connect --connectorKey=${connector.key}\`.`;
    case 'CONFIGURATION_ERROR':
    case 'SETUP_FAILED':
      return `"${c.name}" failed to set up${error}: reconnect with ${reconnect}, or create a new one with \`${cmd} connect --connectorKey=${connector.key}\`.`;
    default: {
      // The sandbox's URLs lead nowhere: its command is the way to reconnect.
      const url = found.cli.backend === 'membrane' ? c.clientAction?.uiUrl : undefined;
      return `Reconnect "${c.name}"${error}: ${url ? `open ${url}, or run ${reconnect}` : `run ${reconnect}`}.`;
    }
  }
}

function connectFix(connector: Connector, found: Pick<CliFound, 'command' | 'cli'>): string {
  if (found.cli.backend === 'sandbox' && !connector.builtIn) {
    return `The sandbox emulates only AmoCRM and 1CRM: use the real Membrane CLI for ${connector.key} (\`${INSTALL_CLI}\`), or drop it from --connectors.`;
  }
  return `Run \`${found.command} connect --connectorKey=${connector.key}\`${found.cli.backend === 'membrane' ? ' (it opens a browser to authorize)' : ''}, then run doctor again.`;
}

function stateOf(c: Connection): string {
  return c.disconnected && c.state === 'READY' ? 'DISCONNECTED' : c.state;
}

/** One line per connection: id, state, name, aligned within the connector. */
function describe(list: Connection[]): string[] {
  const width = Math.max(...list.map((c) => stateOf(c).length));
  return list.map((c) => `${c.id}  ${stateOf(c).padEnd(width)}  ${redact(c.name)}`);
}

/** One check per enabled connector; a connector no READY connection serves fails when no connector has one. */
export function connectorChecks(
  settings: Pick<Settings, 'connectors' | 'defaultConnections'>,
  list: Connection[],
  found: Pick<CliFound, 'command' | 'cli'>,
  directory: Pick<ConnectionDirectory, 'ofConnector'>,
): { checks: Check[]; connections: Record<string, ConnectionSummary[]> } {
  const connections: Record<string, ConnectionSummary[]> = {};
  const checks: Check[] = [];
  let anyUsable = false;
  for (const connector of resolveConnectors(settings.connectors)) {
    const mine = directory.ofConnector(connector, list);
    connections[connector.key] = mine.map((c) => ({ id: c.id, name: redact(c.name), state: c.state }));
    const ready = mine.filter(isReady);
    const base = { id: `connections:${connector.key}`, title: connector.displayName, ...(mine.length ? { details: describe(mine) } : {}) };
    const defaultId = settings.defaultConnections[connector.key];
    let check: Check;
    if (defaultId) {
      const chosen = list.find((c) => c.id === defaultId || c.key === defaultId);
      const owner = chosen?.connectorKey?.toLowerCase();
      const valid = ready.length ? ` Valid READY ids: ${ready.map((c) => c.id).join(', ')}.` : '';
      if (!chosen) {
        check = { ...base, status: 'warn', summary: `the default connection ${defaultId} (--default-connection) does not exist`, fix: `Fix --default-connection ${connector.key}=<id> (MEMBRANE_CRM_DEFAULT_CONNECTION).${valid}` };
      } else if (owner && owner !== connector.key) {
        check = { ...base, status: 'warn', summary: `the default connection ${defaultId} belongs to ${owner}, not ${connector.key}`, fix: `Fix --default-connection ${connector.key}=<id> (MEMBRANE_CRM_DEFAULT_CONNECTION).${valid}` };
      } else if (!isReady(chosen)) {
        check = { ...base, status: 'warn', summary: `the default connection "${redact(chosen.name)}" is ${chosen.state}, not READY`, fix: connectionFix(chosen, connector, found) };
      } else {
        check = { ...base, status: 'ok', summary: `default connection "${redact(chosen.name)}" is READY` };
        anyUsable = true;
      }
    } else if (ready.length === 1) {
      check = { ...base, status: 'ok', summary: `"${redact(ready[0].name)}" is READY${mine.length > 1 ? ` (${mine.length} connections)` : ''}` };
      anyUsable = true;
    } else if (ready.length > 1) {
      check = {
        ...base,
        status: 'warn',
        summary: `${ready.length} connections are READY: tools ask which one on every call without connectionId`,
        fix: `Pick a default: --default-connection ${connector.key}=${ready[0].id} (MEMBRANE_CRM_DEFAULT_CONNECTION); READY ids: ${ready.map((c) => c.id).join(', ')}.`,
      };
      anyUsable = true;
    } else if (mine.length) {
      const worst = mine.find((c) => c.clientAction?.uiUrl) ?? mine[0];
      check = { ...base, status: 'warn', summary: `no READY connection: "${redact(worst.name)}" is ${worst.state}`, fix: connectionFix(worst, connector, found) };
    } else {
      check = { ...base, status: 'warn', summary: 'no connection', fix: connectFix(connector, found) };
    }
    checks.push(check);
  }
  if (!anyUsable) {
    // Nothing works at all: every connector's problem blocks use.
    for (const c of checks) if (c.status === 'warn') c.status = 'fail';
  }
  return { checks, connections };
}

// ---------------------------------------------------------------- all of them

function skipped(id: string, title: string, why: string): Check {
  return { id, title, status: 'skip', summary: `not checked: ${why}` };
}

export async function runChecks(ctx: CheckContext, nodeVersion?: string): Promise<CheckResults> {
  const { settings } = ctx;
  const checks: Check[] = [nodeCheck(nodeVersion), configCheck(settings)];
  const connections: Record<string, ConnectionSummary[]> = {};
  const found = cliCheck(ctx);
  checks.push(found.check);
  const results: CheckResults = {
    checks,
    backend: found.cli.backend,
    cli: { display: found.command, path: cliPath(found.cli) },
    connections,
  };
  /** The checks that need a working CLI, when it is not: from the version check on, or from login on. */
  const skipRest = (from: 'cli-version' | 'login') => {
    const why = 'the CLI cannot run';
    if (from === 'cli-version') checks.push(skipped('cli-version', 'CLI version', why));
    checks.push(skipped('login', 'Login', why), skipped('connections', 'Connections', why), skipped('latency', 'Latency', why));
  };
  if (!found.runnable) {
    skipRest('cli-version');
    return results;
  }

  const log = quietLogger();
  const runner = new CliRunner({
    command: found.cli.command,
    cwd: found.cwd,
    maxConcurrency: settings.maxConcurrency,
    maxOutputBytes: Math.round(settings.cliMaxOutputMb * 1024 * 1024),
    defaultTimeoutMs: settings.cliTimeout * 1000,
    log,
  });
  const client = new CliMembraneClient({ runner, backend: found.cli.backend, commandName: found.command, log, defaultTimeoutMs: settings.cliTimeout * 1000 });
  try {
    // 4. version
    try {
      const v = versionCheck(await runner.run({ args: ['--version'], timeoutMs: VERSION_TIMEOUT_MS }), found);
      checks.push(v);
      if (v.status === 'ok') results.cli!.version = v.summary;
    } catch (e) {
      checks.push(errorCheck('cli-version', 'CLI version', e, '--version', found));
      skipRest('login');
      return results;
    }

    // 5. login
    let statusMs: number | undefined;
    let login: Login;
    try {
      const res = await runner.run({ args: ['status', '--json'], timeoutMs: STATUS_TIMEOUT_MS });
      // A status that failed measures nothing useful about the round trip tools make.
      if (res.exitCode === 0) statusMs = res.durationMs;
      login = loginCheck(res, found);
    } catch (e) {
      login = { check: errorCheck('login', 'Login', e, 'status --json', found), timedOut: e instanceof ToolError && e.code === 'TIMEOUT' };
    }
    checks.push(login.check);

    // 6. connections
    let listMs: number | undefined;
    if (login.loggedIn === false) {
      checks.push(skipped('connections', 'Connections', 'log in first'));
    } else if (login.timedOut) {
      checks.push(skipped('connections', 'Connections', 'the CLI does not answer'));
    } else {
      const started = Date.now();
      try {
        // The tools' own call, bounded for the doctor: a list slower than this is broken for an agent too.
        const list = await client.listConnections({ timeoutMs: Math.min(settings.cliTimeout * 1000, LIST_TIMEOUT_MS) });
        listMs = Date.now() - started;
        const directory = new ConnectionDirectory(client, settings.defaultConnections, log, false);
        const perConnector = connectorChecks(settings, list, found, directory);
        checks.push(...perConnector.checks);
        Object.assign(connections, perConnector.connections);
      } catch (e) {
        checks.push(errorCheck('connections', 'Connections', e, 'connection list --json', found));
      }
    }

    // 7. latency
    const [ms, source] = listMs !== undefined ? [listMs, 'connection list' as const] : statusMs !== undefined ? [statusMs, 'status' as const] : [undefined, undefined];
    if (ms === undefined || source === undefined) {
      checks.push(skipped('latency', 'Latency', 'no CLI call answered'));
    } else {
      results.latencyMs = ms;
      results.latencySource = source;
      const summary = `${ms} ms for one \`${source}\` round trip through the CLI`;
      checks.push(
        ms > SLOW_MS
          ? {
              id: 'latency',
              title: 'Latency',
              status: 'warn',
              summary: `${summary}: slow, every tool call takes at least this long`,
              fix:
                found.cli.backend === 'sandbox'
                  ? 'The sandbox is slow on this machine (a slow disk or a busy CPU?); if calls time out, raise --cli-timeout.'
                  : `Check the network path to Membrane (\`${found.command} status\` should answer in about a second); if calls time out, raise --cli-timeout.`,
            }
          : { id: 'latency', title: 'Latency', status: 'ok', summary },
      );
    }
    return results;
  } finally {
    await client.close();
  }
}
