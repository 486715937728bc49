// `membrane-crm-mcp doctor [--json] [server options]`: checks what `membrane-crm-mcp [server options]`
// would run, prints what to fix and ready-to-paste client configuration.
// Exit status: 0 nothing blocks use (warnings allowed), 1 a check failed, 2 bad options or settings,
// 3 the doctor itself failed (a bug: an unexpected exception).
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, SETTINGS, type Settings } from '../config.js';
import { credentialVariables } from '../membrane/api/api-credentials.js';
import { findOnPath } from '../membrane/cli/resolve-cli.js';
import { type BackendChoice, chooseBackend } from '../membrane/create-client.js';
import { redact } from '../redact.js';
import { runChecks } from './run-checks.js';
import { httpConfigFile, isNpxCache, launchCommand, renderClientConfigs, settingsEnv, type LaunchSpec } from './client-config.js';
import { renderHuman, renderJson, type DoctorReport } from './report.js';
import { exitCodeFor } from './check-types.js';

export interface DoctorIo {
  stdout?: (s: string) => void | Promise<void>;
  stderr?: (s: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Path of the bundled sandbox's cli.js (index.ts knows it). */
  sandboxCli: string;
  /** Absolute path of the server's entry point (dist/index.js). */
  serverEntry: string;
  /** The server's version. */
  version: string;
  /** The directory the server would start in; default: process.cwd(). */
  cwd?: string;
  /** For tests: the Node version to check. */
  nodeVersion?: string;
}

export function doctorUsage(): string {
  return [
    'Usage: membrane-crm-mcp doctor [--json] [server options]',
    '',
    'Checks what `membrane-crm-mcp [server options]` would run: the Node version, the settings, which backend',
    '(the REST API and the credential variables found, or the CLI and its version), the login, the connections',
    'of each enabled connector and one round trip.',
    'Prints what to fix and ready-to-paste configuration for Claude Code, Codex and Cursor.',
    '',
    'Options:',
    `  ${'--json'.padEnd(34)} Print one JSON object (for scripts and CI) instead of the report.`,
    `  ${'--help'.padEnd(34)} Show this help.`,
    `  ${'--version'.padEnd(34)} Print the version.`,
    '  Every server option and environment variable applies (membrane-crm-mcp --help lists them), e.g.',
    '  membrane-crm-mcp doctor --sandbox --connectors=amocrm',
    '',
    'Exit status: 0 nothing blocks use (warnings allowed), 1 a check failed, 2 bad options or settings,',
    '3 the doctor itself failed (an internal error).',
  ].join('\n');
}

/** Splits the doctor's own flags from the server's. */
export function splitArgs(argv: readonly string[]): { json: boolean; help: boolean; version: boolean; rest: string[] } {
  let json = false;
  let help = false;
  let version = false;
  const rest: string[] = [];
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--version') version = true;
    else rest.push(a);
  }
  return { json, help, version, rest };
}

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** A wildcard address: the server listens on every interface, and clients use one of this machine's. */
function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || (host.includes(':') && /^[0:]+$/.test(host));
}

/** The URL an HTTP client uses for the server `--http` would start (a bracketed or bare IPv6 host alike). */
export function httpUrl(settings: Pick<Settings, 'host' | 'http'>): string {
  const host = settings.host.replace(/^\[|\]$/g, '');
  const shown = isWildcardHost(host) ? "<this machine's name or address>" : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${settings.http || '<port>'}/mcp`;
}

/** SETTINGS' env var of a setting key. */
const envOf = (key: string) => SETTINGS.find((s) => s.key === key)?.env ?? key;

function notes(
  report: Pick<DoctorReport, 'backend' | 'cli'>,
  settings: Settings,
  ctx: { entry: string; version: string; cwd: string; env: NodeJS.ProcessEnv },
  launch: LaunchSpec,
): string[] {
  const { entry, version, cwd, env } = ctx;
  const out: string[] = [];
  if (settings.http !== undefined) {
    out.push(
      `--http is set: the configuration below is for clients that start the server on stdio (it leaves the HTTP settings out). ` +
        `To use the HTTP server instead, point the client at ${httpUrl(settings)}` +
        `${settings.httpToken ? ' with the header "Authorization: Bearer <your MEMBRANE_CRM_HTTP_TOKEN>"' : ''}.`,
    );
  }
  const file = httpConfigFile(settings);
  if (file) {
    // Key names only: the values may hold the token.
    out.push(
      `the config file ${settings.config} sets ${file.httpKeys.join(', ')}, which would start the server on HTTP, not on the client's stdio: ` +
        `the configuration below does not pass the file on; its other settings are env vars, and the HTTP settings are left out.`,
    );
    for (const key of file.commaLists) {
      out.push(
        `${key} in the config file has an entry with a comma, which ${envOf(key)} splits in two: write it as separate patterns in that env value (e.g. amocrm:{a,b}-* as amocrm:a-*,amocrm:b-*).`,
      );
    }
  }
  if (isNpxCache(entry))
    out.push(
      `doctor runs from npx's cache, so the configuration starts \`npx -y membrane-crm-mcp@${version}\` (the cache may be cleared).`,
    );
  if (launch.passEnv.length) {
    out.push(
      `the configuration below passes ${launch.passEnv.join(', ')} on by name, never by value: set ${launch.passEnv.length > 1 ? 'them' : 'it'} in the environment the client starts from (your shell profile, or the desktop session), then restart the client.`,
    );
  }
  if (report.backend === 'membrane-cli' && !settings.membraneCli && report.cli?.path) {
    out.push(
      `the server found \`membrane\` on this shell's PATH (${report.cli.path}); a client started from a desktop app may have a shorter PATH and fall back to the sandbox: add MEMBRANE_CLI=${report.cli.path} to env to pin it.`,
    );
  }
  // Clients run `node` from their PATH, not the Node running doctor.
  const pathNode = launch.command === 'node' ? findOnPath('node', env) : undefined;
  if (pathNode && realpath(pathNode) !== realpath(process.execPath)) {
    out.push(
      `\`node\` on this PATH is ${pathNode}, not the Node running doctor (${process.execPath}): if it is older than v20, use the full path as "command".`,
    );
  }
  if (!settings.cliCwd && existsSync(join(cwd, '.membrane', 'config.json')) && !launch.env.MEMBRANE_CRM_CLI_CWD) {
    out.push(
      `the CLI reads .membrane/config.json from its working directory (here: ${cwd}); clients start the server in a directory of their own: add MEMBRANE_CRM_CLI_CWD=${cwd} to env to keep using it.`,
    );
  }
  return out;
}

function ignoreEpipe(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
}

/** Exit status when the doctor itself failed: never mistaken for a failed check (1). */
export const INTERNAL_ERROR_EXIT = 3;

/**
 * Runs the doctor and returns its exit status. An unexpected exception is the doctor's own failure, not a
 * check's: one line on stderr (no stack), exit 3 (and with --json, a JSON answer if nothing was printed yet).
 */
export async function runDoctor(argv: string[], io: DoctorIo): Promise<number> {
  // The caller may process.exit() right after: our own stdout write resolves only once it is flushed
  // (a pipe is asynchronous on macOS), and a reader that stops early (`| head`) is not an error.
  const write =
    io.stdout ??
    ((s: string) =>
      new Promise<void>((resolve) => {
        process.stdout.on('error', ignoreEpipe);
        process.stdout.write(s, () => resolve());
      }));
  let wrote = false;
  const stdout = async (s: string) => {
    wrote = true;
    await write(s);
  };
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const { json } = splitArgs(argv);
  try {
    return await doctor(argv, io, stdout, stderr);
  } catch (e) {
    const message = redact(e instanceof Error ? e.message : String(e));
    try {
      stderr(`membrane-crm-mcp doctor: internal error: ${message}\n`);
      if (json && !wrote)
        await stdout(`${JSON.stringify({ ok: false, exitCode: INTERNAL_ERROR_EXIT, error: `internal error: ${message}` }, null, 2)}\n`);
    } catch {
      // Nowhere left to report it: the exit status says it.
    }
    return INTERNAL_ERROR_EXIT;
  }
}

async function doctor(argv: string[], io: DoctorIo, stdout: (s: string) => Promise<void>, stderr: (s: string) => void): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const { json, help, version: printVersion, rest } = splitArgs(argv);
  if (help) {
    await stdout(`${doctorUsage()}\n`);
    return 0;
  }
  if (printVersion) {
    await stdout(`${io.version}\n`);
    return 0;
  }

  const { serverEntry, sandboxCli, version } = io;
  let settings: Settings;
  let choice: BackendChoice;
  try {
    // loadConfig and chooseBackend refuse what the server would refuse at start-up (connectors sharing a tool
    // prefix, partial API credentials…).
    settings = loadConfig(rest, env).settings;
    choice = chooseBackend(settings, { env, cwd: settings.cliCwd ?? cwd, sandboxCli });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    stderr(`membrane-crm-mcp: ${e.message}\nRun membrane-crm-mcp doctor --help for the options.\n`);
    if (json) await stdout(`${JSON.stringify({ ok: false, exitCode: 2, error: e.message }, null, 2)}\n`);
    return 2;
  }

  const results = await runChecks({ settings, env, cwd, choice }, io.nodeVersion);

  const launch: LaunchSpec = {
    ...launchCommand({ serverEntry: resolve(serverEntry), version }),
    env: settingsEnv({ argv: rest, env, settings, cwd, backend: choice.backend }),
    // Only the names: clients pass the values on from their own environment.
    passEnv: choice.kind === 'api' ? credentialVariables(choice.api.credentials) : [],
  };
  const report: DoctorReport = {
    ...results,
    version,
    exitCode: exitCodeFor(results.checks),
    launch,
    clientConfigs: renderClientConfigs(launch, { settings }),
    notes: [],
  };
  report.notes = notes(report, settings, { entry: serverEntry, version, cwd, env }, launch);
  await stdout(json ? renderJson(report) : renderHuman(report));
  return report.exitCode;
}
