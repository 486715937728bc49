#!/usr/bin/env node
// membrane-crm-mcp: parse settings, pick the backend (REST API, CLI or sandbox), serve MCP on stdio (or Streamable HTTP), shut down cleanly.
// `membrane-crm-mcp doctor` checks the setup instead (src/doctor/).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig, usage } from './config.js';
import { createLogger } from './log.js';
import { loadExeca } from './membrane/cli/cli-runner.js';
import { loadSdk } from './membrane/api/sdk-transport.js';
import { type BackendChoice, chooseBackend, createMembraneClient } from './membrane/create-client.js';
import { createServer, createSharedLookups } from './server.js';

// stdout carries JSON-RPC only. A dependency that calls console.log must not corrupt it.
/* eslint-disable no-console -- the one place that redirects console output to stderr */
console.log = console.error;
console.info = console.error;
console.debug = console.error;
/* eslint-enable no-console */

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_BUDGET_MS = 2500;

/** The sandbox's bin sits next to this one (dist/sandbox/cli.js), however the build lays out the rest. */
const sandboxCli = fileURLToPath(new URL('./sandbox/cli.js', import.meta.url));

async function main(): Promise<void> {
  // The settings read the environment once; the HTTP token then leaves process.env so that no CLI child inherits it.
  const env = { ...process.env };
  delete process.env.MEMBRANE_CRM_HTTP_TOKEN;
  if (process.argv[2] === 'doctor') {
    const { runDoctor } = await import('./doctor/doctor.js');
    // runDoctor flushes its output before it resolves, so exiting at once is safe (and leaves no handle open).
    process.exit(await runDoctor(process.argv.slice(3), { sandboxCli, serverEntry: fileURLToPath(import.meta.url), version, env }));
  }
  let loaded;
  let choice: BackendChoice | undefined;
  try {
    loaded = loadConfig(process.argv.slice(2), env);
    if (!loaded.help && !loaded.version) {
      const { settings } = loaded;
      choice = chooseBackend(settings, { env, cwd: settings.cliCwd ?? process.cwd(), sandboxCli });
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
  if (chosen.fallback) {
    process.stderr.write(
      '\n[membrane-crm-mcp] *** SANDBOX MODE: no Membrane API credentials and no Membrane CLI found, so the tools use the bundled membrane-sandbox ***\n' +
        '[membrane-crm-mcp] *** Data is a local AmoCRM/1CRM emulation, not a real CRM. For real data set MEMBRANE_ACCESS_TOKEN (or MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET, MEMBRANE_TENANT_KEY), or install @membranehq/cli and run `membrane login --tenant`. ***\n\n',
    );
  }
  const { backend } = chosen;
  log.info(`backend: ${backend} — ${chosen.reason}`);
  // What the backend loads on first use is loaded once the client is connected, while it is still initializing.
  const prewarm = () => void (chosen.kind === 'api' ? loadSdk() : loadExeca()).catch(() => undefined);

  const client = await createMembraneClient(settings, chosen, { cwd, log });
  // One set of lookups for the process: HTTP sessions share the connection list and action metadata caches.
  const lookups = createSharedLookups(settings, client, log);
  const makeServer = () => createServer({ settings, client, log, version, lookups });

  let closeTransport: () => Promise<void>;
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`shutting down (${why})`);
    const hardStop = setTimeout(() => process.exit(0), SHUTDOWN_BUDGET_MS);
    hardStop.unref();
    try {
      await client.close();
      // The stopped calls end as CANCELLED results a few ticks after their process: let the handlers
      // send those answers before the transport closes (else the last ones are silently dropped).
      await new Promise((resolve) => setTimeout(resolve, 50));
      await closeTransport?.();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  // A bug in one call must not take the server down for every other call.
  process.on('uncaughtException', (e) => log.error('uncaught exception', { error: e.stack ?? String(e) }));
  process.on('unhandledRejection', (e) =>
    log.error('unhandled rejection', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );

  if (settings.http !== undefined) {
    const { startHttpServer } = await import('./transports/streamable-http.js');
    let http;
    try {
      http = await startHttpServer({
        port: settings.http,
        host: settings.host,
        token: settings.httpToken,
        allowedHosts: settings.httpAllowedHosts,
        makeServer,
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
      `[membrane-crm-mcp] membrane-crm-mcp ${version} listening on ${http.url} (Streamable HTTP; ${settings.httpToken ? 'every request needs the --http-token' : 'this machine only'}) for ${settings.connectors.join(', ')} (backend ${backend})\n`,
    );
    return;
  }

  // stdio: the client owns our lifetime; its closing stdin is the normal way to stop.
  const { server, tools, close } = makeServer();
  closeTransport = close;
  process.stdin.on('end', () => void shutdown('stdin ended'));
  process.stdin.on('close', () => void shutdown('stdin closed'));
  await server.connect(new StdioServerTransport());
  setImmediate(prewarm);
  log.info(`membrane-crm-mcp ${version} ready on stdio: ${tools.length} tools for ${settings.connectors.join(', ')} (backend ${backend})`);
}

main().catch((e: unknown) => {
  process.stderr.write(`membrane-crm-mcp: fatal: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
