// What every command handler gets and returns. Handlers never print: cli.ts prints their result,
// so stdout carries exactly one document and the faults can intercept it.
import type { Db, RecordStore } from '../store.js';
import type { Faults } from '../faults.js';
import type { OptionName, ParsedArgs } from '../args.js';

export interface CommandContext {
  db: Db;
  store: RecordStore;
  dbPath: string;
  env: NodeJS.ProcessEnv;
  faults: Faults;
  /** True when this invocation seeded the store (first use of a fresh file). */
  seededNow: boolean;
  /** Wall clock in ms (runtime writes use the real clock; only the seed uses a fixed one). */
  now(): number;
}

export interface CommandOutput {
  /** The `--json` document. */
  json: unknown;
  /** Short human-readable text printed without `--json`. */
  text: string;
  /** 1 for a result that is also an error (`request` with HTTP ≥ 400). */
  exitCode?: 0 | 1;
  /** One human line for stderr (e.g. `HTTP 404`). */
  note?: string;
}

export interface CommandSpec {
  /** Command words, e.g. ['action', 'run']. */
  path: string[];
  /** Shown as `Usage: membrane-sandbox <synopsis>`. */
  synopsis: string;
  /** Flags the command accepts besides the global ones (--json, --help, --version, --workspaceKey, --tenantKey). */
  options: readonly OptionName[];
  /** How many positionals may follow the command words. */
  positionals: { min: number; max: number };
  /** Tenant API command: needs a login, and MEMBRANE_SANDBOX_FAULT applies. */
  tenant: boolean;
  /** `sandbox …` maintenance commands: faults never apply. */
  maintenance?: boolean;
  /** Accepts `--json '{…}'` as a request body (only `request`). */
  acceptsJsonBody?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput>;
}

export function output(json: unknown, text: string): CommandOutput {
  return { json, text };
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
