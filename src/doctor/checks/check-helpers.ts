// What the doctor's checks share: the backend they talk to, the CLI they found, the fixes for people derived from
// the next steps the tools give agents, and the short excerpts of output that go into summaries.
import { ToolError } from '../../errors.js';
import { excerpt } from '../../membrane/membrane-errors.js';
import { errorLine } from '../../membrane/cli/cli-status.js';
import type { ResolvedCli } from '../../membrane/cli/resolve-cli.js';
import type { Backend, UserActionHints } from '../../membrane/membrane-client.js';
import { redact } from '../../redact.js';
import type { Check } from '../check-types.js';

import { INSTALL_CLI } from '../../membrane/cli/cli-runner.js';

export { INSTALL_CLI };

/** The warning for a sandbox the server falls back to because nothing else is set up (whichever front of it runs). */
export const SANDBOX_FALLBACK = {
  summary:
    'no API credentials and no Membrane CLI found (no --membrane-cli, no `membrane` on PATH): the server would use the bundled SANDBOX, with demo data, not your CRM',
  fix: `Set MEMBRANE_ACCESS_TOKEN (or MEMBRANE_WORKSPACE_KEY, MEMBRANE_WORKSPACE_SECRET and MEMBRANE_TENANT_KEY) for the REST API, or install the Membrane CLI: \`${INSTALL_CLI}\`, then \`membrane login --tenant\`; then run doctor again. To use the sandbox on purpose, pass --sandbox (MEMBRANE_CRM_SANDBOX=1).`,
};

/** The backend the checks talk to: what answers, its words for what the user must do, and its command when it is a CLI. */
export interface Target {
  backend: Backend;
  hints: UserActionHints;
  /** The CLI as the user types it (fixes name it); undefined for the API. */
  command?: string;
}

/** A call a check made, as its summary names it (`status --json`, `GET /connections`) and as the user could repeat it. */
export interface CheckedCall {
  label: string;
  /** The full command to run by hand (CLI backends). */
  command?: string;
}

/** The CLI the server would run, as the CLI check found it. */
export interface CliFound {
  check: Check;
  cli: ResolvedCli;
  /** The command to show in fixes (and the one the CLI's next steps name). */
  command: string;
  runnable: boolean;
  /** The CLI's working directory. */
  cwd: string;
}

/**
 * A fix for the user, from a next step written for the agent: "Ask the user to run …" becomes "Run …", and
 * the agent's "then retry" becomes running doctor again.
 */
export function userFix(nextStep: string | undefined): string | undefined {
  if (!nextStep) return undefined;
  const m = /^Ask the user to (\w)/.exec(nextStep);
  const text = m ? `${m[1].toUpperCase()}${nextStep.slice(m[0].length)}` : nextStep;
  return redact(text.replace(/,? then retry\.$/, ', then run doctor again.'));
}

export function skipped(id: string, title: string, why: string): Check {
  return { id, title, status: 'skip', summary: `not checked: ${why}` };
}

/**
 * A check failed by an error of the backend (a ToolError: anything else is a bug, and propagates to runDoctor's
 * internal error). The summary names the call in short (`status --json`), the fix gives the full command to run
 * by hand when there is one. The next steps the tools give agents become fixes for people; a timeout gets the
 * doctor's own fix.
 */
export function errorCheck(id: string, title: string, e: ToolError, call: CheckedCall): Check {
  const byHand = call.command
    ? `Run \`${call.command}\` yourself to see the whole output.`
    : 'Check the API address (MEMBRANE_API_URI, if set) and the network, then run doctor again.';
  const output =
    typeof e.details?.excerpt === 'string' && e.details.excerpt.trim() ? ` (${excerpt(errorLine(e.details.excerpt), 100)})` : '';
  let fix: string;
  switch (e.code) {
    case 'TIMEOUT':
      fix = call.command
        ? `The CLI did not answer in time: run \`${call.command}\` yourself to see where it stops (no network to Membrane? an interactive prompt?).`
        : "Membrane's API did not answer in time: check the network path to it (and MEMBRANE_API_URI, if set), then run doctor again.";
      break;
    case 'LOGIN_REQUIRED':
    case 'CLI_NOT_FOUND':
    case 'CONNECTION_NEEDS_USER_ACTION':
      fix = userFix(e.nextStep) ?? byHand;
      break;
    default:
      fix = e.nextStep ? `${userFix(e.nextStep)} ${byHand}` : byHand;
  }
  return { id, title, status: 'fail', summary: `\`${call.label}\` failed: ${e.code}: ${redact(e.message)}${output}`, fix };
}

/** Runs one backend call of a check: a ToolError becomes the check's failure, anything else is a bug and propagates. */
export async function attempt<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ToolError }> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    if (e instanceof ToolError) return { ok: false, error: e };
    throw e;
  }
}
