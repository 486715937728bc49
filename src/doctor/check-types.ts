// What the doctor reports: one entry per check, and the facts the checks found on the way.

/** `skip`: the check could not run because an earlier one failed (it never decides the exit code). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  /** Stable id for scripts: node, config, cli, cli-version, login, connections, connections:<key>, latency. */
  id: string;
  /** Label in the human output. */
  title: string;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** For warn and fail: what to do, with the exact command. */
  fix?: string;
  /** Extra lines shown under the check (the connections of a connector, the CLI command…). */
  details?: string[];
}

export interface ConnectionSummary {
  id: string;
  name: string;
  state: string;
}

/** Exit status of the checks: 0 nothing blocks use (warnings allowed), 1 a check failed. (runDoctor adds 2, bad flags, and 3, an internal error.) */
export function exitCodeFor(checks: readonly Pick<Check, 'status'>[]): 0 | 1 {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
