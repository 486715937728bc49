// Which CLI the server would run (and whether it can), and its version.
import { existsSync, statSync } from 'node:fs';
import type { Settings } from '../../config.js';
import { isExecutable, resolveCli, runsWithNode, type ResolvedCli } from '../../membrane/cli/resolve-cli.js';
import type { ProcessResult } from '../../membrane/cli/cli-runner.js';
import { shellWord } from '../client-config.js';
import type { Check } from '../check-types.js';
import { errorLine, firstLine, INSTALL_CLI, type CliFound } from './check-helpers.js';

/** `<cli> --version` gets this long. */
export const VERSION_TIMEOUT_MS = 10_000;

/** The file the resolved command runs: the CLI's script for `node <cli.js>`, else the executable. */
export function cliPath(cli: ResolvedCli): string {
  return cli.command.file === process.execPath && cli.command.prefixArgs.length ? cli.command.prefixArgs[0] : cli.command.file;
}

/** How the user types the CLI in a terminal, for fixes: the exact sandbox command, or the configured path. */
export function userCommand(cli: ResolvedCli, explicitPath: boolean): string {
  if (cli.backend === 'sandbox' || !explicitPath) return cli.command.display;
  const path = cliPath(cli);
  return cli.command.file === process.execPath ? `node ${shellWord(path)}` : shellWord(path);
}

export function cliCheck(opts: { settings: Settings; env: NodeJS.ProcessEnv; cwd: string; sandboxCli: string }): CliFound {
  const { settings } = opts;
  const cwd = settings.cliCwd ?? opts.cwd;
  const cli = resolveCli({ sandbox: settings.sandbox, membraneCli: settings.membraneCli, cwd, sandboxCli: opts.sandboxCli }, opts.env);
  const explicitPath = cli.backend === 'membrane' && !!settings.membraneCli;
  const command = userCommand(cli, explicitPath);
  const path = cliPath(cli);
  const details = [`command: ${command}`];
  const base = { id: 'cli', title: 'CLI', details };
  const found = (check: Check, runnable: boolean): CliFound => ({ check, cli, command, runnable, cwd });
  const failed = (summary: string, fix: string) => found({ ...base, status: 'fail', summary, fix }, false);

  if (settings.cliCwd && !(existsSync(cwd) && statSync(cwd).isDirectory())) {
    return failed(
      `the CLI working directory ${cwd} does not exist`,
      'Point --cli-cwd (MEMBRANE_CRM_CLI_CWD) at an existing directory, or drop it to use the start directory.',
    );
  }
  if (cli.backend === 'sandbox') {
    if (!existsSync(path))
      return failed(`the bundled sandbox is missing (${path})`, 'Rebuild membrane-crm-mcp (`npm run build` in a clone) or reinstall it.');
    if (cli.fallback) {
      return found(
        {
          ...base,
          status: 'warn',
          summary:
            'no Membrane CLI found (no --membrane-cli, no `membrane` on PATH): the server would use the bundled SANDBOX, with demo data, not your CRM',
          fix: `Install the Membrane CLI: \`${INSTALL_CLI}\`, then \`membrane login --tenant\`, and run doctor again. To use the sandbox on purpose, pass --sandbox (MEMBRANE_CRM_SANDBOX=1).`,
        },
        true,
      );
    }
    return found({ ...base, status: 'ok', summary: 'sandbox (--sandbox / MEMBRANE_CRM_SANDBOX): offline AmoCRM and 1CRM emulation' }, true);
  }
  if (explicitPath) {
    const fix = `Point --membrane-cli (MEMBRANE_CLI) at the Membrane CLI (\`which membrane\` shows it), or install it: \`${INSTALL_CLI}\`.`;
    if (!existsSync(path)) return failed(`--membrane-cli: ${path} does not exist`, fix);
    if (!statSync(path).isFile()) return failed(`--membrane-cli: ${path} is not a file`, fix);
    if (!runsWithNode(path) && !isExecutable(path))
      return failed(
        `--membrane-cli: ${path} is not executable`,
        `Make it executable: \`chmod +x ${shellWord(path)}\`, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
      );
    return found({ ...base, status: 'ok', summary: `Membrane CLI at ${path} (--membrane-cli / MEMBRANE_CLI)` }, true);
  }
  return found({ ...base, status: 'ok', summary: `Membrane CLI found on PATH: ${path}` }, true);
}

/** What `<cli> --version` printed: the version, or a warning (an old sandbox, an old CLI). */
export function versionCheck(result: ProcessResult, found: Pick<CliFound, 'cli'>): Check {
  const base = { id: 'cli-version', title: 'CLI version' };
  const version = result.exitCode === 0 ? firstLine(result.stdout) : '';
  if (version) return { ...base, status: 'ok', summary: version };
  const why =
    result.exitCode === 0
      ? 'printed nothing'
      : `exited ${result.exitCode ?? result.signal}${result.stderr.trim() ? `: ${errorLine(result.stderr)}` : ''}`;
  return {
    ...base,
    status: 'warn',
    summary: `version unknown (\`--version\` ${why})`,
    fix:
      found.cli.backend === 'sandbox'
        ? 'The bundled sandbox predates `--version`: update membrane-crm-mcp (a clone: `git pull && npm ci`).'
        : `Update the Membrane CLI: \`${INSTALL_CLI}@latest\`.`,
  };
}
