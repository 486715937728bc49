// Which backend answers, decided once at start-up, and the client for it: the server and the doctor use the same
// choice. `--backend` (MEMBRANE_CRM_BACKEND, config `backend`):
//   auto  API credentials in the environment → api; else a `membrane` CLI (--membrane-cli or PATH) → cli;
//         else the bundled sandbox through its REST API (sandbox-api), announced loudly because its data is not a real CRM
//   api   the REST API; its credentials must be set
//   cli   the `membrane` CLI; when it is missing, calls fail with CLI_NOT_FOUND (no quiet fallback to demo data)
// `--sandbox` always means the sandbox: through its REST API (sandbox-api: `membrane-sandbox serve`, started by the
// server on loopback), or through its CLI with --backend=cli (sandbox-cli: one process per call).
// `--http-auth membrane` is the REST API with each caller's own token (chooseCallerBackend, createCallerClient).
import type { Settings } from '../config.js';
import { ConfigError } from '../config.js';
import type { Logger } from '../log.js';
import { ApiMembraneClient } from './api/api-client.js';
import {
  type ApiCredentials,
  API_CREDENTIAL_VARIABLES,
  API_ENV,
  credentialVariables,
  hasApiCredentials,
  readApiCredentials,
} from './api/api-credentials.js';
import { apiHints, callerHints } from './api/api-hints.js';
import { NoCallerClient } from './api/no-caller-client.js';
import { sdkTransport } from './api/sdk-transport.js';
import { withCallSafety } from './call-safety.js';
import { createCliClient } from './cli/cli-setup.js';
import { type ResolvedCli, resolveCli } from './cli/resolve-cli.js';
import type { Backend, MembraneClient, UserActionHints } from './membrane-client.js';
import { createSandboxApiClient } from './sandbox-api-client.js';

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
  | { kind: 'sandbox-api'; backend: Extract<Backend, 'sandbox-api'>; sandboxCli: string; reason: string; fallback: boolean }
  | { kind: 'cli'; backend: ResolvedCli['backend']; cli: ResolvedCli; reason: string; fallback: boolean };

/** What the sandbox-api backend runs, for the start-up log. */
const SANDBOX_API = 'its REST API (membrane-sandbox serve, started by the server on 127.0.0.1)';

export interface ChoiceContext {
  env: NodeJS.ProcessEnv;
  /** The CLI's working directory (--cli-cwd, else where the server starts). */
  cwd: string;
  /** Path of the bundled sandbox's cli.js. */
  sandboxCli: string;
}

/** The backend these settings and this environment select. Throws ConfigError (exit 2) for a setup that cannot work. */
export function chooseBackend(settings: Settings, ctx: ChoiceContext): BackendChoice {
  if (settings.httpAuth === 'membrane') {
    throw new ConfigError(
      `--http-auth membrane uses each caller's token and holds none of its own: to check one caller's access, run the doctor without --http-auth and with ${API_ENV.token}=<that token>`,
    );
  }
  const cliChoice = (fallbackToSandbox: boolean): BackendChoice => {
    const cli = resolveCli(
      { sandbox: settings.sandbox, membraneCli: settings.membraneCli, cwd: ctx.cwd, sandboxCli: ctx.sandboxCli, fallbackToSandbox },
      ctx.env,
    );
    return { kind: 'cli', backend: cli.backend, cli, reason: cli.reason, fallback: cli.fallback };
  };
  const sandboxApi = (reason: string, fallback: boolean): BackendChoice => ({
    kind: 'sandbox-api',
    backend: 'sandbox-api',
    sandboxCli: ctx.sandboxCli,
    reason: `${reason}; ${SANDBOX_API}`,
    fallback,
  });
  if (settings.sandbox) {
    // --backend=cli keeps the sandbox's CLI (a process per call); auto and api mean its REST API.
    if (settings.backend === 'cli') return cliChoice(false);
    return sandboxApi('sandbox requested (--sandbox / MEMBRANE_CRM_SANDBOX)', false);
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
  const choice = cliChoice(settings.backend === 'auto');
  // Nothing installed: the sandbox, through its REST API.
  return choice.fallback ? sandboxApi(choice.reason, true) : choice;
}

/** The limits every API request of these settings has. */
function apiLimits(settings: Settings) {
  return {
    defaultTimeoutMs: settings.cliTimeout * 1000,
    maxConcurrency: settings.maxConcurrency,
    maxResponseBytes: Math.round(settings.cliMaxOutputMb * 1024 * 1024),
  };
}

/** The REST API that `--http-auth membrane` calls with each caller's token. */
export interface CallerBackend {
  backend: Extract<Backend, 'membrane-api'>;
  apiUri: string;
  customApiUri: boolean;
  reason: string;
}

/**
 * The backend of `--http-auth membrane`. The server holds no Membrane credentials of its own there, so API
 * credentials in its environment are refused (ConfigError, exit 2) rather than kept unused.
 */
export function chooseCallerBackend(settings: Settings, env: NodeJS.ProcessEnv): CallerBackend {
  if (hasApiCredentials(env)) {
    const set = API_CREDENTIAL_VARIABLES.filter((n) => env[n]?.trim());
    throw new ConfigError(
      `--http-auth membrane calls Membrane with each caller's own token and holds no credentials of its own: unset ${set.join(', ')}`,
    );
  }
  const apiUri = settings.apiUri ?? DEFAULT_API_URI;
  return {
    backend: 'membrane-api',
    apiUri,
    customApiUri: settings.apiUri !== undefined,
    reason: `Membrane REST API at ${apiUri} with each caller's bearer token (--http-auth membrane)`,
  };
}

/** The client of one caller: the api backend with their token, for their requests only. */
export function createCallerClient(settings: Settings, target: CallerBackend, token: string, log: Logger): MembraneClient {
  const api = { credentials: { kind: 'token' as const, token }, apiUri: target.apiUri, customApiUri: target.customApiUri };
  return apiClient(settings, api, log, callerHints(target.customApiUri), ["the caller's bearer token"]);
}

/** The server's own client under `--http-auth membrane`: no credentials, no calls; it tells whether the API answers. */
export function createCallerlessClient(target: CallerBackend): MembraneClient {
  return new NoCallerClient({ apiUri: target.apiUri, customApiUri: target.customApiUri, hints: callerHints(target.customApiUri) });
}

/** Membrane's API (or the one MEMBRANE_API_URI names); `hints` name what to fix (the variables, or the caller's token). */
function apiClient(
  settings: Settings,
  target: ApiTarget,
  log: Logger,
  hints: UserActionHints = apiHints(target.credentials, target.customApiUri),
  credentialNames = credentialVariables(target.credentials),
): MembraneClient {
  const limits = apiLimits(settings);
  const client = new ApiMembraneClient({
    transport: sdkTransport(target.credentials, target.customApiUri ? target.apiUri : undefined),
    backend: 'membrane-api',
    hints,
    apiUri: target.apiUri,
    customApiUri: target.customApiUri,
    credentialNames,
    log,
    ...limits,
  });
  return withCallSafety(client, { log, defaultTimeoutMs: limits.defaultTimeoutMs });
}

/**
 * The client for a choice, with the shared retry and write rules around it. It never waits for a backend to start
 * (sandbox-api starts its child in the background: the first call waits); `onFailure` is told when a backend the
 * server started cannot serve any more (its start failed, or it ended).
 */
export async function createMembraneClient(
  settings: Settings,
  choice: BackendChoice,
  opts: { cwd: string; log: Logger; env?: NodeJS.ProcessEnv; onFailure?: (why: string) => void },
): Promise<MembraneClient> {
  switch (choice.kind) {
    case 'api':
      return apiClient(settings, choice.api, opts.log);
    case 'sandbox-api': {
      const limits = apiLimits(settings);
      const client = createSandboxApiClient({
        sandboxCli: choice.sandboxCli,
        env: opts.env ?? process.env,
        onFailure: opts.onFailure,
        credentialNames: ['a `pat-` token made up for this start'],
        log: opts.log,
        ...limits,
      });
      return withCallSafety(client, { log: opts.log, defaultTimeoutMs: limits.defaultTimeoutMs });
    }
    case 'cli':
      return createCliClient(settings, choice.cli, opts.cwd, opts.log);
  }
}
