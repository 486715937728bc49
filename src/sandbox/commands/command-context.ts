// What every command handler gets and returns. Handlers never print: cli.ts prints their result,
// so stdout carries exactly one document and the faults can intercept it.
import type { Db, RecordStore } from '../store.js';
import type { Faults } from '../faults.js';
import type { OptionName, ParsedArgs } from '../args.js';
import { buildMsFromEnv, type EngineContext } from '../engine/engine-context.js';

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
  /** The JSON document is printed on one line, with or without `--json` (`serve`'s start-up line). */
  oneLine?: boolean;
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
  /** A long-running server (`serve`): MEMBRANE_SANDBOX_FAULT applies to each request it answers, not to the process. */
  server?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<CommandOutput>;
}

/** The engine's view of a CLI invocation: always the logged-in tenant. */
export function engineOf(ctx: CommandContext): EngineContext {
  return { db: ctx.db, store: ctx.store, faults: ctx.faults, buildMs: buildMsFromEnv(ctx.env), caller: 'tenant', now: ctx.now };
}

export function output(json: unknown, text: string): CommandOutput {
  return { json, text };
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
