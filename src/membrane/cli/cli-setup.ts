// The CLI runner and Membrane client for a set of settings: one recipe for the server and the doctor, so
// the doctor checks exactly what the server would run.
import type { Settings } from '../../config.js';
import type { Logger } from '../../log.js';
import { withCallSafety } from '../call-safety.js';
import type { MembraneClient } from '../membrane-client.js';
import { CliMembraneClient } from './cli-client.js';
import type { ResolvedCli } from './resolve-cli.js';
import { CliRunner } from './cli-runner.js';

export function createCliClient(settings: Settings, cli: ResolvedCli, cwd: string, log: Logger): MembraneClient {
  const defaultTimeoutMs = settings.cliTimeout * 1000;
  const runner = new CliRunner({
    command: cli.command,
    cwd,
    maxConcurrency: settings.maxConcurrency,
    maxOutputBytes: Math.round(settings.cliMaxOutputMb * 1024 * 1024),
    defaultTimeoutMs,
    log,
  });
  const client = new CliMembraneClient({ runner, backend: cli.backend, commandName: cli.command.display, log, defaultTimeoutMs });
  return withCallSafety(client, { log, defaultTimeoutMs });
}
