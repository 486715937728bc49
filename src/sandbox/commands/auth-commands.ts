// login / login complete / status / logout. The sandbox "user" is always the same; a login only
// proves the two-step headless flow works: `login` prints a URL and a code, `login complete <code>`
// accepts exactly that code.
import { randomBytes } from 'node:crypto';
import { writeTx } from '../store.js';
import { badRequest } from '../error-data.js';
import { SANDBOX_UI } from '../emulators.js';
import { readApiUri, readPendingLogin, readSession, SANDBOX_SESSION, writeApiUri, writePendingLogin, writeSession } from '../session.js';
import { output, type CommandContext, type CommandOutput } from './command-context.js';
import type { ParsedArgs } from '../args.js';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newLoginCode(): string {
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

export async function login(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const code = newLoginCode();
  const params = new URLSearchParams({ code });
  const clientName = args.string('clientName');
  if (clientName) params.set('clientName', clientName);
  if (args.flag('tenant')) params.set('scope', 'tenant');
  const url = `${SANDBOX_UI}/login?${params.toString()}`;
  const apiUri = args.string('apiUri');
  writeTx(ctx.db, () => {
    writePendingLogin(ctx.db, { code, url });
    if (apiUri) writeApiUri(ctx.db, apiUri);
  });
  const message = `Open ${url} to authorize, then run \`membrane-sandbox login complete ${code}\`.`;
  return output(
    { status: 'pending', url, code, message },
    `Open this URL to log in:\n  ${url}\nThen run:\n  membrane-sandbox login complete ${code}`,
  );
}

export async function loginComplete(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput> {
  const code = args.rest(2)[0];
  const session = writeTx(ctx.db, () => {
    const pending = readPendingLogin(ctx.db);
    if (!pending || pending.code.toUpperCase() !== code.trim().toUpperCase()) return undefined;
    writePendingLogin(ctx.db, undefined);
    writeSession(ctx.db, SANDBOX_SESSION);
    return SANDBOX_SESSION;
  });
  if (!session) {
    throw badRequest(`Invalid or expired login code '${code}'. Run \`membrane-sandbox login\` to get a new one.`, 'invalid_code');
  }
  return output(
    { status: 'logged-in', workspaceKey: session.workspaceKey, tenantKey: session.tenantKey, user: session.user },
    `Logged in as ${session.user.name} <${session.user.email}> (workspace ${session.workspaceKey}, tenant ${session.tenantKey})`,
  );
}

export async function status(ctx: CommandContext): Promise<CommandOutput> {
  const session = ctx.faults.notLoggedIn ? undefined : readSession(ctx.db);
  const apiUri = readApiUri(ctx.db);
  const json = {
    loggedIn: session !== undefined,
    apiUri,
    ...(session ? { workspaceKey: session.workspaceKey, tenantKey: session.tenantKey, user: session.user } : {}),
    backend: 'sandbox',
    db: ctx.dbPath,
  };
  const who = session
    ? `Logged in as ${session.user.name} <${session.user.email}> (workspace ${session.workspaceKey}, tenant ${session.tenantKey})`
    : 'Not logged in';
  return output(json, `${who}\nAPI: ${apiUri}\nBackend: sandbox (${ctx.dbPath})`);
}

export async function logout(ctx: CommandContext): Promise<CommandOutput> {
  writeTx(ctx.db, () => {
    writeSession(ctx.db, undefined);
    writePendingLogin(ctx.db, undefined);
  });
  return output({ status: 'logged-out' }, 'Logged out');
}
