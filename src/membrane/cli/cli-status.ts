// What `<cli> --version` and `<cli> status --json` say about the CLI: its version, and whether (and as whom)
// it is logged in. The doctor asks through MembraneClient.describe() and checkAccess(), which use these.
import { redact } from '../../redact.js';
import { excerpt } from '../membrane-errors.js';
import type { AccessCheck, Backend, BackendInfo } from '../membrane-client.js';
import { toErrorData } from '../response-schemas.js';
import { findJson } from './cli-output.js';
import { INSTALL_CLI, type ProcessResult } from './cli-runner.js';

/** The first line of a CLI's output, redacted and short. */
export function firstLine(text: string): string {
  return excerpt(redact(text.trim().split(/\r?\n/)[0] ?? ''), 120);
}

/** The line of an error output that says what went wrong (a Node crash starts with a stack location). */
export function errorLine(text: string): string {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return excerpt(redact(lines.find((l) => /\berror\b/i.test(l)) ?? lines[0] ?? ''), 160);
}

/** The version `--version` printed, or why there is none and what to do. */
export function versionFromOutput(result: ProcessResult, backend: Backend): Omit<BackendInfo, 'details'> {
  const version = result.exitCode === 0 ? firstLine(result.stdout) : '';
  if (version) return { version };
  const why =
    result.exitCode === 0
      ? 'printed nothing'
      : `exited ${result.exitCode ?? result.signal}${result.stderr.trim() ? `: ${errorLine(result.stderr)}` : ''}`;
  return {
    versionProblem: {
      summary: `version unknown (\`--version\` ${why})`,
      fix:
        backend === 'sandbox-cli'
          ? 'The bundled sandbox predates `--version`: update membrane-crm-mcp (a clone: `git pull && npm ci`).'
          : `Update the Membrane CLI: \`${INSTALL_CLI}@latest\`.`,
    },
  };
}

function who(doc: Record<string, unknown>): string {
  const user = doc.user && typeof doc.user === 'object' ? (doc.user as Record<string, unknown>) : undefined;
  const name = typeof user?.name === 'string' ? user.name : undefined;
  const email = typeof user?.email === 'string' ? user.email : undefined;
  const where = [
    typeof doc.workspaceKey === 'string' ? `workspace ${doc.workspaceKey}` : '',
    typeof doc.tenantKey === 'string' ? `tenant ${doc.tenantKey}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const person = name && email ? `${name} <${email}>` : (name ?? email);
  return redact(`logged in${person ? ` as ${person}` : ''}${where ? ` (${where})` : ''}`);
}

/** The login state from `<cli> status --json` (a banner before the JSON, or an error document on stderr, tolerated). */
export function accessFromStatus(result: ProcessResult, cli: string): AccessCheck {
  // A status that failed measures nothing useful about the round trip tools make.
  const answered = result.exitCode === 0 ? { durationMs: result.durationMs } : {};
  const notLoggedIn = (summary: string): AccessCheck => ({ loggedIn: false, summary, ...answered });
  const parsed = findJson(result.stdout);
  const onStderr = parsed.found ? parsed : findJson(result.stderr);
  const doc = onStderr.found ? onStderr.value : undefined;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && typeof (doc as { loggedIn?: unknown }).loggedIn === 'boolean') {
    const o = doc as Record<string, unknown>;
    if (!o.loggedIn) return notLoggedIn('not logged in');
    const details = [
      typeof o.apiUri === 'string' ? `API: ${redact(o.apiUri)}` : '',
      typeof o.db === 'string' ? `sandbox database: ${o.db}` : '',
    ].filter(Boolean);
    return { loggedIn: true, summary: who(o), ...(details.length ? { details } : {}), ...answered };
  }
  const err = toErrorData(doc);
  const text = `${result.stdout}\n${result.stderr}`;
  if (err?.key?.toLowerCase() === 'not_authenticated' || /not logged in|not authenticated|login required/i.test(err?.message ?? text)) {
    return notLoggedIn(`not logged in${err ? ` (${firstLine(err.message)})` : ''}`);
  }
  if (result.exitCode === 0 && /\blogged in\b/i.test(text)) return { loggedIn: true, summary: firstLine(text.trim()), ...answered };
  const why = err
    ? firstLine(err.message)
    : result.exitCode !== 0
      ? `exited ${result.exitCode ?? result.signal}: ${errorLine(result.stderr || result.stdout) || 'no output'}`
      : `printed ${firstLine(result.stdout) ? `"${firstLine(result.stdout)}"` : 'nothing'}`;
  return {
    summary: `login state unknown: \`status --json\` ${why}`,
    fix: `Run \`${cli} status\` to see the login state (to log in: \`${cli} login --tenant\`).`,
    ...answered,
  };
}
