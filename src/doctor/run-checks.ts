// The doctor's checks, in order: Node, settings, which CLI, its version, login, connections per enabled
// connector, latency. Each lives in checks/; this runs them and skips what an earlier failure makes
// pointless. The CLI runs through the server's own runner and client (membrane/cli/cli-setup.ts), so the doctor
// sees what the tools would see.
import type { Settings } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { createCliClient } from '../membrane/cli/cli-setup.js';
import type { Backend } from '../membrane/membrane-client.js';
import { ConnectionDirectory } from '../lookups/connection-directory.js';
import { cliCheck, cliPath, versionCheck, VERSION_TIMEOUT_MS } from './checks/cli-check.js';
import { connectorChecks, LIST_TIMEOUT_MS } from './checks/connections-check.js';
import { latencyCheck, type LatencySource } from './checks/latency-check.js';
import { loginCheck, STATUS_TIMEOUT_MS, type Login } from './checks/login-check.js';
import { configCheck, nodeCheck } from './checks/settings-check.js';
import { attempt, errorCheck, skipped } from './checks/check-helpers.js';
import type { Check, ConnectionSummary } from './check-types.js';

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
  latencySource?: LatencySource;
}

/** A logger that keeps the doctor's output clean (the checks report what matters). */
function quietLogger(): Logger {
  return createLogger({ level: 'error', write: () => {} });
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
  // The server's runner and client for these settings. Only the name the CLI's next steps use differs:
  // the command the user types (a --membrane-cli path rather than `membrane`), since they become fixes.
  const { runner, client } = createCliClient(
    settings,
    { ...found.cli, command: { ...found.cli.command, display: found.command } },
    found.cwd,
    log,
  );
  try {
    // 4. version
    const version = await attempt(() => runner.run({ args: ['--version'], timeoutMs: VERSION_TIMEOUT_MS }));
    if (!version.ok) {
      checks.push(errorCheck('cli-version', 'CLI version', version.error, '--version', found));
      skipRest('login');
      return results;
    }
    const v = versionCheck(version.value, found);
    checks.push(v);
    if (v.status === 'ok') results.cli!.version = v.summary;

    // 5. login
    let statusMs: number | undefined;
    let login: Login;
    const status = await attempt(() => runner.run({ args: ['status', '--json'], timeoutMs: STATUS_TIMEOUT_MS }));
    if (status.ok) {
      // A status that failed measures nothing useful about the round trip tools make.
      if (status.value.exitCode === 0) statusMs = status.value.durationMs;
      login = loginCheck(status.value, found);
    } else {
      login = { check: errorCheck('login', 'Login', status.error, 'status --json', found), timedOut: status.error.code === 'TIMEOUT' };
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
      // The tools' own call, bounded for the doctor: a list slower than this is broken for an agent too.
      const list = await attempt(() => client.listConnections({ timeoutMs: Math.min(settings.cliTimeout * 1000, LIST_TIMEOUT_MS) }));
      if (list.ok) {
        listMs = Date.now() - started;
        const directory = new ConnectionDirectory(client, settings.defaultConnections, log, false);
        const perConnector = connectorChecks(settings, list.value, found, directory);
        checks.push(...perConnector.checks);
        Object.assign(connections, perConnector.connections);
      } else {
        checks.push(errorCheck('connections', 'Connections', list.error, 'connection list --json', found));
      }
    }

    // 7. latency
    const [ms, source] =
      listMs !== undefined
        ? [listMs, 'connection list' as const]
        : statusMs !== undefined
          ? [statusMs, 'status' as const]
          : [undefined, undefined];
    if (ms === undefined || source === undefined) {
      checks.push(skipped('latency', 'Latency', 'no CLI call answered'));
    } else {
      results.latencyMs = ms;
      results.latencySource = source;
      checks.push(latencyCheck(ms, source, found));
    }
    return results;
  } finally {
    await client.close();
  }
}
