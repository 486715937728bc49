// `serve`: the sandbox as a Membrane REST API server. Prints one JSON line with the API URI and the
// credentials, then serves until SIGINT, SIGTERM or the end of its stdin pipe (its parent died).
import { ArgvProblem, parseIntFlag, type ParsedArgs } from '../args.js';
import { buildMsFromEnv } from '../engine/engine-context.js';
import { startSandboxApi, type SandboxApi } from '../api/sandbox-api.js';
import type { SandboxApiCredentials } from '../api/api-auth.js';
import type { CommandContext, CommandOutput } from './command-context.js';
import { whenStdinEnds } from '../parent-pipe.js';

/**
 * Keys from the flags or the environment; the secret and the token from the environment only, so
 * they never show in a process list. Whatever is missing is random for this start.
 */
function givenCredentials(args: ParsedArgs, env: NodeJS.ProcessEnv): Partial<SandboxApiCredentials> {
  const given: Partial<SandboxApiCredentials> = {};
  const workspaceKey = args.string('workspaceKey') ?? env.MEMBRANE_SANDBOX_WORKSPACE_KEY;
  const tenantKey = args.string('tenantKey') ?? env.MEMBRANE_SANDBOX_TENANT_KEY;
  const workspaceSecret = env.MEMBRANE_SANDBOX_WORKSPACE_SECRET;
  const accessToken = env.MEMBRANE_SANDBOX_ACCESS_TOKEN;
  if (workspaceKey) given.workspaceKey = workspaceKey;
  if (tenantKey) given.tenantKey = tenantKey;
  if (workspaceSecret) given.workspaceSecret = workspaceSecret;
  if (accessToken) {
    if (!accessToken.startsWith('pat-')) throw new ArgvProblem("MEMBRANE_SANDBOX_ACCESS_TOKEN must start with 'pat-'");
    given.accessToken = accessToken;
  }
  return given;
}

/** Closes the server once on SIGINT, SIGTERM or stdin's end; the process then exits on its own. */
function stopOnSignals(api: SandboxApi): void {
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    unwatchStdin();
    process.stdin.destroy();
    void api.close().catch((err: unknown) => {
      process.stderr.write(`membrane-sandbox serve: error while closing: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
    // Nothing should keep the process alive after close; if something does, do not linger.
    setTimeout(() => process.exit(), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const unwatchStdin = whenStdinEnds(stop);
}

export async function serve(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const port = parseIntFlag(args.string('port'), 'port', 0, 65535) ?? 0;
  const host = args.string('host') ?? '127.0.0.1';
  if (!host.trim()) throw new ArgvProblem('--host must not be empty');
  const api = await startSandboxApi({
    db: ctx.dbPath,
    port,
    host: host.replace(/^\[(.*)\]$/, '$1'),
    credentials: givenCredentials(args, ctx.env),
    faults: ctx.env.MEMBRANE_SANDBOX_FAULT,
    buildMs: buildMsFromEnv(ctx.env),
    requestLog: ctx.env.MEMBRANE_SANDBOX_REQUEST_LOG || undefined,
    anyTenant: ['1', 'true', 'yes', 'on'].includes((ctx.env.MEMBRANE_SANDBOX_ANY_TENANT ?? '').trim().toLowerCase()),
  });
  stopOnSignals(api);
  const line = { apiUri: api.url, ...api.credentials };
  process.stderr.write(`membrane-sandbox: Membrane API emulation listening on ${api.url} (store ${ctx.dbPath})\n`);
  return { json: line, text: JSON.stringify(line), oneLine: true };
}
