// The doctor's checks, in order: Node, settings, which backend (the CLI and its version, the API with the
// credentials found, or the sandbox's REST front started as the server would), login, connections per enabled connector, latency. Each lives in checks/; this runs them and
// skips what an earlier failure makes pointless. Every call goes through the server's own client
// (membrane/create-client.ts), so the doctor sees what the tools would see.
import type { Settings } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { STATUS_TIMEOUT_MS, VERSION_TIMEOUT_MS } from '../membrane/cli/cli-client.js';
import { credentialVariables } from '../membrane/api/api-credentials.js';
import { type BackendChoice, createMembraneClient } from '../membrane/create-client.js';
import type { Backend, MembraneClient } from '../membrane/membrane-client.js';
import { ConnectionDirectory } from '../lookups/connection-directory.js';
import { apiCheck, sandboxApiCheck } from './checks/api-check.js';
import { cliCheck, cliPath, versionCheck } from './checks/cli-check.js';
import { connectorChecks, LIST_TIMEOUT_MS } from './checks/connections-check.js';
import { latencyCheck, type LatencySource } from './checks/latency-check.js';
import { loginCheck } from './checks/login-check.js';
import { configCheck, nodeCheck } from './checks/settings-check.js';
import { attempt, type CheckedCall, errorCheck, skipped, type Target } from './checks/check-helpers.js';
import type { Check, ConnectionSummary } from './check-types.js';

export interface CheckContext {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** The directory the server would start in (the doctor's own cwd). */
  cwd: string;
  /** The backend the server would use (create-client.ts chooseBackend). */
  choice: BackendChoice;
}

export interface CheckResults {
  checks: Check[];
  backend?: Backend;
  cli?: { display: string; path?: string; version?: string };
  /** The API backend: its address and the credential variables found (names only). */
  api?: { uri: string; credentials: string[]; sdk?: string };
  connections: Record<string, ConnectionSummary[]>;
  latencyMs?: number;
  /** What the latency was measured on. */
  latencySource?: LatencySource;
}

/** A logger that keeps the doctor's output clean (the checks report what matters). */
function quietLogger(): Logger {
  return createLogger({ level: 'error', write: () => {} });
}

/** The calls the checks make, as their summaries and fixes name them. */
function calls(target: Target): Record<'version' | 'access' | 'list', CheckedCall> {
  const cli = (args: string): CheckedCall => ({ label: args, command: `${target.command} ${args}` });
  return target.command
    ? { version: cli('--version'), access: cli('status --json'), list: cli('connection list --json') }
    : { version: { label: 'load @membranehq/sdk' }, access: { label: 'GET /connections?limit=1' }, list: { label: 'GET /connections' } };
}

export async function runChecks(ctx: CheckContext, nodeVersion?: string): Promise<CheckResults> {
  const { settings, choice } = ctx;
  const checks: Check[] = [nodeCheck(nodeVersion), configCheck(settings)];
  const connections: Record<string, ConnectionSummary[]> = {};
  const results: CheckResults = { checks, backend: choice.backend, connections };
  const skipRest = (why: string, from: 'version' | 'login') => {
    if (from === 'version' && choice.kind === 'cli') checks.push(skipped('cli-version', 'CLI version', why));
    checks.push(skipped('login', 'Login', why), skipped('connections', 'Connections', why), skipped('latency', 'Latency', why));
  };

  const log = quietLogger();
  let client: MembraneClient;
  let target: Target;
  if (choice.kind === 'cli') {
    const found = cliCheck(ctx, choice.cli);
    checks.push(found.check);
    results.cli = { display: found.command, path: cliPath(found.cli) };
    if (!found.runnable) {
      skipRest('the CLI cannot run', 'version');
      return results;
    }
    // The server's client for these settings. Only the name the CLI's next steps use differs: the command the user
    // types (a --membrane-cli path rather than `membrane`), since they become fixes.
    const cli = { ...choice.cli, command: { ...choice.cli.command, display: found.command } };
    client = await createMembraneClient(settings, { ...choice, cli }, { cwd: found.cwd, log });
    target = { backend: choice.backend, hints: client.hints, command: found.command };
  } else {
    // sandbox-api: the client starts the sandbox's REST front as the server would; describe() below waits for it.
    client = await createMembraneClient(settings, choice, { cwd: ctx.cwd, log, env: ctx.env });
    target = { backend: choice.backend, hints: client.hints };
    results.api =
      choice.kind === 'api'
        ? { uri: choice.api.apiUri, credentials: credentialVariables(choice.api.credentials) }
        : { uri: '', credentials: [] };
  }
  const call = calls(target);

  try {
    // 4. what runs the calls: the CLI's version, or the SDK loaded
    const info = await attempt(() => client.describe({ timeoutMs: VERSION_TIMEOUT_MS }));
    if (!info.ok) {
      checks.push(
        errorCheck(
          choice.kind === 'cli' ? 'cli-version' : 'api',
          choice.kind === 'cli' ? 'CLI version' : choice.kind === 'api' ? 'Membrane API' : 'Sandbox API',
          info.error,
          choice.kind === 'sandbox-api' ? { label: 'membrane-sandbox serve' } : call.version,
        ),
      );
      skipRest(
        choice.kind === 'cli'
          ? 'the CLI cannot run'
          : choice.kind === 'api'
            ? 'the Membrane SDK cannot load'
            : 'the sandbox API did not start',
        'login',
      );
      return results;
    }
    if (choice.kind === 'cli') {
      const v = versionCheck(info.value);
      checks.push(v);
      if (v.status === 'ok') results.cli!.version = v.summary;
    } else {
      checks.push(choice.kind === 'api' ? apiCheck(choice.api, ctx.env, info.value) : sandboxApiCheck(info.value, choice.fallback));
      results.api!.sdk = info.value.version;
      if (info.value.apiUri) results.api!.uri = info.value.apiUri;
    }

    // 5. login
    let accessMs: number | undefined;
    let loggedIn: boolean | undefined;
    let timedOut = false;
    const access = await attempt(() => client.checkAccess({ timeoutMs: STATUS_TIMEOUT_MS }));
    if (access.ok) {
      accessMs = access.value.durationMs;
      loggedIn = access.value.loggedIn;
      checks.push(loginCheck(access.value, target));
    } else {
      timedOut = access.error.code === 'TIMEOUT';
      checks.push(errorCheck('login', 'Login', access.error, call.access));
    }

    // 6. connections
    let listMs: number | undefined;
    if (loggedIn === false) {
      checks.push(skipped('connections', 'Connections', 'log in first'));
    } else if (timedOut) {
      checks.push(skipped('connections', 'Connections', `the ${target.command ? 'CLI' : 'API'} does not answer`));
    } else {
      const started = Date.now();
      // The tools' own call, bounded for the doctor: a list slower than this is broken for an agent too.
      const list = await attempt(() => client.listConnections({ timeoutMs: Math.min(settings.cliTimeout * 1000, LIST_TIMEOUT_MS) }));
      if (list.ok) {
        listMs = Date.now() - started;
        const directory = new ConnectionDirectory(client, settings.defaultConnections, log, false);
        const perConnector = connectorChecks(settings, list.value, target, directory);
        checks.push(...perConnector.checks);
        Object.assign(connections, perConnector.connections);
      } else {
        checks.push(errorCheck('connections', 'Connections', list.error, call.list));
      }
    }

    // 7. latency
    const accessSource: LatencySource = target.command ? 'status' : 'access check';
    const [ms, source] =
      listMs !== undefined
        ? [listMs, 'connection list' as const]
        : accessMs !== undefined
          ? [accessMs, accessSource]
          : [undefined, undefined];
    if (ms === undefined || source === undefined) {
      checks.push(skipped('latency', 'Latency', `no ${target.command ? 'CLI' : 'API'} call answered`));
    } else {
      results.latencyMs = ms;
      results.latencySource = source;
      checks.push(latencyCheck(ms, source, target));
    }
    return results;
  } finally {
    await client.close();
  }
}
