// What the doctor's checks share: the CLI they found, the fixes for people derived from the next steps the
// tools give agents, and the short excerpts of CLI output that go into summaries.
import { ToolError } from '../../errors.js';
import { excerpt } from '../../membrane/cli/cli-output.js';
import type { ResolvedCli } from '../../membrane/cli/resolve-cli.js';
import { redact } from '../../redact.js';
import type { Check } from '../check-types.js';

export { INSTALL_CLI } from '../../membrane/cli/cli-runner.js';

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

/**
 * A check failed by an error of the runner or the adapter (a ToolError: anything else is a bug, and
 * propagates to runDoctor's internal error). The summary names the CLI command in short (`status`), the
 * fix gives the full command to run by hand. The next steps the tools give agents become fixes for
 * people; a timeout gets the doctor's own fix.
 */
export function errorCheck(id: string, title: string, e: ToolError, args: string, found: Pick<CliFound, 'command'>): Check {
  const full = `${found.command} ${args}`;
  const byHand = `Run \`${full}\` yourself to see the whole output.`;
  const output =
    typeof e.details?.excerpt === 'string' && e.details.excerpt.trim() ? ` (${excerpt(errorLine(e.details.excerpt), 100)})` : '';
  let fix: string;
  switch (e.code) {
    case 'TIMEOUT':
      fix = `The CLI did not answer in time: run \`${full}\` yourself to see where it stops (no network to Membrane? an interactive prompt?).`;
      break;
    case 'LOGIN_REQUIRED':
    case 'CLI_NOT_FOUND':
    case 'CONNECTION_NEEDS_USER_ACTION':
      fix = userFix(e.nextStep) ?? byHand;
      break;
    default:
      fix = e.nextStep ? `${userFix(e.nextStep)} ${byHand}` : byHand;
  }
  return { id, title, status: 'fail', summary: `\`${args}\` failed: ${e.code}: ${redact(e.message)}${output}`, fix };
}

/** Runs one CLI call of a check: a ToolError becomes the check's failure, anything else is a bug and propagates. */
export async function attempt<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ToolError }> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    if (e instanceof ToolError) return { ok: false, error: e };
    throw e;
  }
}
