// Which CLI the server would run (and whether it can), and its version.
import { existsSync, statSync } from 'node:fs';
import type { Settings } from '../../config.js';
import { isExecutable, runsWithNode, type ResolvedCli } from '../../membrane/cli/resolve-cli.js';
import type { BackendInfo } from '../../membrane/membrane-client.js';
import { shellWord } from '../client-config.js';
import type { Check } from '../check-types.js';
import { INSTALL_CLI, SANDBOX_FALLBACK, type CliFound } from './check-helpers.js';

/** The file the resolved command runs: the CLI's script for `node <cli.js>`, else the executable. */
export function cliPath(cli: ResolvedCli): string {
  return cli.command.file === process.execPath && cli.command.prefixArgs.length ? cli.command.prefixArgs[0] : cli.command.file;
}

/** How the user types the CLI in a terminal, for fixes: the exact sandbox command, or the configured path. */
export function userCommand(cli: ResolvedCli, explicitPath: boolean): string {
  if (cli.backend === 'sandbox-cli' || !explicitPath) return cli.command.display;
  const path = cliPath(cli);
  return cli.command.file === process.execPath ? `node ${shellWord(path)}` : shellWord(path);
}

/** Whether the CLI the backend choice resolved can run, as a check. */
export function cliCheck(opts: { settings: Settings; cwd: string }, cli: ResolvedCli): CliFound {
  const { settings } = opts;
  const cwd = settings.cliCwd ?? opts.cwd;
  const explicitPath = cli.backend === 'membrane-cli' && !!settings.membraneCli;
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
  if (cli.missing) {
    return failed(
      'no Membrane CLI found on PATH, and --backend=cli (MEMBRANE_CRM_BACKEND) asks for one: every call would fail with CLI_NOT_FOUND',
      `Install it: \`${INSTALL_CLI}\`, then \`membrane login --tenant\`; or point --membrane-cli (MEMBRANE_CLI) at it; or use the REST API instead (--backend=api with MEMBRANE_ACCESS_TOKEN).`,
    );
  }
  if (cli.backend === 'sandbox-cli') {
    if (!existsSync(path))
      return failed(`the bundled sandbox is missing (${path})`, 'Rebuild membrane-crm-mcp (`npm run build` in a clone) or reinstall it.');
    if (cli.fallback) {
      return found({ ...base, status: 'warn', ...SANDBOX_FALLBACK }, true);
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

/** What `<cli> --version` printed (through the client's describe()): the version, or a warning (an old sandbox, an old CLI). */
export function versionCheck(info: BackendInfo): Check {
  const base = { id: 'cli-version', title: 'CLI version' };
  if (info.version) return { ...base, status: 'ok', summary: info.version };
  return {
    ...base,
    status: 'warn',
    summary: info.versionProblem?.summary ?? 'version unknown',
    ...(info.versionProblem ? { fix: info.versionProblem.fix } : {}),
  };
}
