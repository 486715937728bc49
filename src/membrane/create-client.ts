// Which backend answers, decided once at start-up, and the client for it: the server and the doctor use the same
// choice. `--backend` (MEMBRANE_CRM_BACKEND, config `backend`):
//   auto  API credentials in the environment → api; else a `membrane` CLI (--membrane-cli or PATH) → cli;
//         else the bundled sandbox, announced loudly because its data is not a real CRM
//   api   the REST API; its credentials must be set
//   cli   the `membrane` CLI; when it is missing, calls fail with CLI_NOT_FOUND (no quiet fallback to demo data)
// `--sandbox` always means the sandbox, reached through its CLI (sandbox-cli).
import type { Settings } from '../config.js';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import { ApiMembraneClient } from './api/api-client.js';
import { type ApiCredentials, API_ENV, credentialVariables, readApiCredentials } from './api/api-credentials.js';
import { apiHints } from './api/api-hints.js';
import { sdkTransport } from './api/sdk-transport.js';
import { withCallSafety } from './call-safety.js';
import { createCliClient } from './cli/cli-setup.js';
import { type ResolvedCli, resolveCli } from './cli/resolve-cli.js';
import type { Backend, MembraneClient, UserActionHints } from './membrane-client.js';

/** Membrane's own API, the SDK's default (checked against the SDK in the tests). */
export const DEFAULT_API_URI = 'https://api.getmembrane.com';

export interface ApiTarget {
  credentials: ApiCredentials;
  apiUri: string;
  /** True when MEMBRANE_API_URI (--api-uri) names another API than Membrane's own. */
  customApiUri: boolean;
}

export type BackendChoice =
  | { kind: 'api'; backend: Extract<Backend, 'membrane-api'>; api: ApiTarget; reason: string; fallback: false }
  | { kind: 'cli'; backend: ResolvedCli['backend']; cli: ResolvedCli; reason: string; fallback: boolean };

export interface ChoiceContext {
  env: NodeJS.ProcessEnv;
  /** The CLI's working directory (--cli-cwd, else where the server starts). */
  cwd: string;
  /** Path of the bundled sandbox's cli.js. */
  sandboxCli: string;
}

/** The backend these settings and this environment select. Throws ConfigError (exit 2) for a setup that cannot work. */
export function chooseBackend(settings: Settings, ctx: ChoiceContext): BackendChoice {
  const cliChoice = (fallbackToSandbox: boolean): BackendChoice => {
    const cli = resolveCli(
      { sandbox: settings.sandbox, membraneCli: settings.membraneCli, cwd: ctx.cwd, sandboxCli: ctx.sandboxCli, fallbackToSandbox },
      ctx.env,
    );
    return { kind: 'cli', backend: cli.backend, cli, reason: cli.reason, fallback: cli.fallback };
  };
  if (settings.sandbox) {
    // The sandbox's REST front (`membrane-sandbox serve`) will make this the sandbox-api backend: start it, read the
    // credentials it prints, and give them to apiClient() below with backend 'sandbox-api'.
    if (settings.backend === 'api') {
      throw new ConfigError(
        '--sandbox with --backend=api needs the sandbox to serve the Membrane REST API, which this build cannot do yet: drop --backend=api (the sandbox then runs through its CLI)',
      );
    }
    return cliChoice(false);
  }
  // A partial set of credentials stops the server even in auto mode: the user meant the API and would get something else.
  const credentials = settings.backend === 'cli' ? undefined : readApiCredentials(ctx.env);
  if (credentials) {
    const api = { credentials, apiUri: settings.apiUri ?? DEFAULT_API_URI, customApiUri: settings.apiUri !== undefined };
    const names = credentialVariables(credentials).join(', ');
    const why = settings.backend === 'api' ? '--backend=api' : 'API credentials in the environment';
    return { kind: 'api', backend: 'membrane-api', api, reason: `Membrane REST API at ${api.apiUri} (${why}: ${names})`, fallback: false };
  }
  if (settings.backend === 'api') {
    throw new ConfigError(
      `--backend=api needs credentials in the environment: ${API_ENV.token} (a JWT or \`pat-\` token), or ${API_ENV.workspaceKey}, ${API_ENV.workspaceSecret} and ${API_ENV.tenantKey}`,
    );
  }
  return cliChoice(settings.backend === 'auto');
}

/**
 * The API client for a target: Membrane's API (membrane-api, hints that name the variables to fix), or the sandbox's
 * REST front (sandbox-api: the credentials it prints, and the sandbox CLI's hints, whose commands reach the same store).
 */
function apiClient(
  settings: Settings,
  target: ApiTarget,
  backend: Extract<Backend, 'membrane-api' | 'sandbox-api'>,
  hints: UserActionHints,
  log: Logger,
): MembraneClient {
  const defaultTimeoutMs = settings.cliTimeout * 1000;
  const client = new ApiMembraneClient({
    transport: sdkTransport(target.credentials, target.customApiUri ? target.apiUri : undefined),
    backend,
    hints,
    apiUri: target.apiUri,
    customApiUri: target.customApiUri,
    credentialNames: credentialVariables(target.credentials),
    log,
    defaultTimeoutMs,
    maxConcurrency: settings.maxConcurrency,
    maxResponseBytes: Math.round(settings.cliMaxOutputMb * 1024 * 1024),
  });
  return withCallSafety(client, { log, defaultTimeoutMs });
}

/** The client for a choice, with the shared retry and write rules around it. Async: a backend may need to start something first. */
export async function createMembraneClient(
  settings: Settings,
  choice: BackendChoice,
  opts: { cwd: string; log: Logger },
): Promise<MembraneClient> {
  switch (choice.kind) {
    case 'api':
      return apiClient(settings, choice.api, choice.backend, apiHints(choice.api.credentials, choice.api.customApiUri), opts.log);
    case 'cli':
      return createCliClient(settings, choice.cli, opts.cwd, opts.log);
  }
}
