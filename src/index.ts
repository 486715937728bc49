#!/usr/bin/env node
// membrane-crm-mcp: parse settings, pick the backend (REST API, CLI or sandbox), start one transport (stdio, or Streamable HTTP), shut down
// cleanly. The transports live in src/transports/; `membrane-crm-mcp doctor` checks the setup instead (src/doctor/).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, usage } from './config.js';
import { createLogger } from './log.js';
import { loadExeca } from './membrane/cli/cli-runner.js';
import { loadSdk } from './membrane/api/sdk-transport.js';
import {
  type BackendChoice,
  type CallerBackend,
  chooseBackend,
  chooseCallerBackend,
  createCallerClient,
  createCallerlessClient,
  createMembraneClient,
} from './membrane/create-client.js';
import { createServerContext, createServerFactory, createSharedLookups } from './server.js';
import { openStateStore } from './state/open-state-store.js';
import { shownStateLocation } from './state/state-location.js';
import type { StateStore } from './state/state-store.js';
import type { CallerTenants } from './tenants/caller-tenants.js';

// stdout carries JSON-RPC only. A dependency that calls console.log must not corrupt it.
/* eslint-disable no-console -- the one place that redirects console output to stderr */
console.log = console.error;
console.info = console.error;
console.debug = console.error;
/* eslint-enable no-console */

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_BUDGET_MS = 2500;
/** How long shutdown waits for the stopped calls to send their answers (while the client closes). */
const CALLS_SETTLE_MS = 1000;

/** The sandbox's bin sits next to this one (dist/sandbox/cli.js), however the build lays out the rest. */
const sandboxCli = fileURLToPath(new URL('./sandbox/cli.js', import.meta.url));

async function main(): Promise<void> {
  // The settings read the environment once; the secrets then leave process.env so that no CLI child inherits them.
  const env = { ...process.env };
  delete process.env.MEMBRANE_CRM_HTTP_TOKEN;
  delete process.env.MEMBRANE_CRM_STATE_SECRET;
  delete process.env.MEMBRANE_CRM_STATE;
  if (process.argv[2] === 'doctor') {
    const { runDoctor } = await import('./doctor/doctor.js');
    // runDoctor flushes its output before it resolves, so exiting at once is safe (and leaves no handle open).
    process.exit(await runDoctor(process.argv.slice(3), { sandboxCli, serverEntry: fileURLToPath(import.meta.url), version, env }));
  }
  let loaded;
  let choice: BackendChoice | { kind: 'caller'; caller: CallerBackend } | undefined;
  try {
    loaded = loadConfig(process.argv.slice(2), env);
    if (!loaded.help && !loaded.version) {
      const { settings } = loaded;
      choice =
        settings.httpAuth === 'membrane'
          ? { kind: 'caller', caller: chooseCallerBackend(settings, env) }
          : chooseBackend(settings, { env, cwd: settings.cliCwd ?? process.cwd(), sandboxCli });
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`membrane-crm-mcp: ${e.message}\nRun membrane-crm-mcp --help for the options.\n`);
      process.exit(2);
    }
    throw e;
  }
  // --help and --version are not protocol sessions, so they may print to stdout.
  if (loaded.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (loaded.version || !choice) {
    process.stdout.write(`${version}\n`);
    return;
  }
  const chosen = choice;

  const { settings } = loaded;
  const log = createLogger({ level: settings.logLevel });
  const cwd = settings.cliCwd ?? process.cwd();
  if (chosen.kind !== 'caller' && chosen.fallback) {
    process.stderr.write(
      '\n[membrane-crm-mcp] *** SANDBOX MODE: no Membrane API credentials and no Membrane CLI found, so the tools use the bundled membrane-sandbox ***\n' +
        '[membrane-crm-mcp] *** Data is a local AmoCRM/1CRM emulation, not a real CRM. For real data set MEMBRANE_ACCESS_TOKEN (or MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET, MEMBRANE_TENANT_KEY), or install @membranehq/cli and run `membrane login --tenant`. ***\n\n',
    );
  }
  const backend = chosen.kind === 'caller' ? chosen.caller.backend : chosen.backend;
  log.info(`backend: ${backend} — ${chosen.kind === 'caller' ? chosen.caller.reason : chosen.reason}`);
  // What the backend loads on first use is loaded once the client is connected, while it is still initializing.
  const prewarm = () => void (chosen.kind === 'cli' ? loadExeca() : loadSdk()).catch(() => undefined);

  // Result pages, confirmation tokens and the repeat guard: this process's memory, or the Redis replicas share.
  let state: StateStore;
  try {
    state = await openStateStore(settings.state, log);
  } catch (e) {
    process.stderr.write(
      `membrane-crm-mcp: ${e instanceof Error ? e.message : String(e)}. Start Redis there, or fix --state / MEMBRANE_CRM_STATE (\`memory\` keeps state in this process).\n`,
    );
    process.exit(2);
  }
  if (settings.state !== 'memory') log.info(`state store: ${shownStateLocation(settings.state)}`);

  // A backend the server started (the sandbox's REST front) that cannot serve stops the server: no call could succeed.
  let onBackendFailure = (why: string) => void process.stderr.write(`[membrane-crm-mcp] error: ${why}\n`);
  const client =
    chosen.kind === 'caller'
      ? createCallerlessClient(chosen.caller)
      : await createMembraneClient(settings, chosen, { cwd, log, onFailure: (why) => onBackendFailure(why) });
  // One set of lookups for the process: every request shares the connection list and action metadata caches
  // (per caller under --http-auth membrane: each tenant gets its own, with its own client and state scope).
  const lookups = createSharedLookups(settings, client, log);
  let tenants: CallerTenants | undefined;
  if (chosen.kind === 'caller') {
    const { CallerTenants } = await import('./tenants/caller-tenants.js');
    const { caller } = chosen;
    tenants = new CallerTenants({
      log,
      create: (token, key) => {
        const own = createCallerClient(settings, caller, token, log);
        const ctx = createServerContext({
          settings,
          client: own,
          log,
          lookups: createSharedLookups(settings, own, log),
          state,
          scope: key,
        });
        return { key, client: own, ctx };
      },
    });
  }
  const callers = tenants;
  const { factory, tools, inFlight } = createServerFactory({
    settings,
    client,
    log,
    version,
    lookups,
    state,
    stateSecret: settings.stateSecret,
    contextFor: callers ? (request) => (request.authInfo ? callers.tenant(request.authInfo.clientId)?.ctx : undefined) : undefined,
  });

  let closeTransport: (() => Promise<void>) | undefined;
  let stopping = false;
  /** Stops the CLI calls and the transport; exits with `code` (non-zero when the transport failed). */
  const shutdown = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    if (code === 0) log.info(`shutting down (${why})`);
    else process.stderr.write(`[membrane-crm-mcp] error: stopping: ${why}\n`);
    const hardStop = setTimeout(() => process.exit(code), SHUTDOWN_BUDGET_MS);
    hardStop.unref();
    try {
      // Closing the client stops every call at once (kills CLI processes, aborts API requests); the stopped calls end
      // as CANCELLED results a little later. Wait for each handler to answer before the transport closes (else those
      // answers are silently dropped), while the client finishes closing (the sandbox API's child may take a second).
      const running = inFlight.size;
      const [, answered] = await Promise.all([client.close(), inFlight.settled(CALLS_SETTLE_MS)]);
      if (!answered) log.info(`shutting down: ${inFlight.size} of ${running} calls did not end in time`);
      await new Promise((resolve) => setImmediate(resolve)); // the answers' writes
      await closeTransport?.();
      await tenants?.close();
      await state.close();
    } finally {
      process.exit(code);
    }
  };
  onBackendFailure = (why) => void shutdown(why, 1);
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  // A bug in one call must not take the server down for every other call.
  process.on('uncaughtException', (e) => log.error('uncaught exception', { stack: e.stack ?? String(e) }));
  process.on('unhandledRejection', (e) =>
    log.error('unhandled rejection', { stack: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );

  if (settings.http !== undefined) {
    const { startHttpServer } = await import('./transports/streamable-http.js');
    const { readinessCheck } = await import('./transports/health-checks.js');
    let http;
    try {
      http = await startHttpServer({
        port: settings.http,
        host: settings.host,
        token: settings.httpToken,
        callers,
        readiness: readinessCheck({ state, client }),
        allowedHosts: settings.httpAllowedHosts,
        factory,
        log,
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const hint =
        code === 'EADDRINUSE'
          ? ': the port is in use; pick another with --http <port> (0 = any free port)'
          : code === 'EACCES'
            ? ': not allowed to bind it; use a port above 1024'
            : '';
      process.stderr.write(`membrane-crm-mcp: cannot listen on ${settings.host}:${settings.http} (${code ?? String(e)})${hint}\n`);
      process.exit(1);
    }
    closeTransport = () => http.close();
    setImmediate(prewarm);
    // Always on stderr, whatever --log-level says: with --http 0 this line is the only way to learn the URL.
    process.stderr.write(
      `[membrane-crm-mcp] membrane-crm-mcp ${version} listening on ${http.url} (Streamable HTTP, stateless; ${callers ? "every request needs its caller's Membrane token" : settings.httpToken ? 'every request needs the --http-token' : 'this machine only'}; state ${shownStateLocation(settings.state)}) for ${settings.connectors.join(', ')} (backend ${backend})\n`,
    );
    return;
  }

  // stdio: the client owns our lifetime; its closing stdin is the normal way to stop. A failed stream is
  // not: the server says why on stderr and exits non-zero, so the host sees it.
  const { serveOnStdio } = await import('./transports/stdio-transport.js');
  const stdio = serveOnStdio(factory, log);
  closeTransport = () => stdio.close();
  void stdio.stopped.then((r) => (r.kind === 'stdin-ended' ? shutdown('stdin ended') : shutdown(r.message, 1)));
  setImmediate(prewarm);
  log.info(`membrane-crm-mcp ${version} ready on stdio: ${tools.length} tools for ${settings.connectors.join(', ')} (backend ${backend})`);
}

main().catch((e: unknown) => {
  process.stderr.write(`membrane-crm-mcp: fatal: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
