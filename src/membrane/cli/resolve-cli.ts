// Which CLI the server runs, decided once at start-up (never per call, never through npx or a shell):
// --sandbox → the bundled membrane-sandbox; --membrane-cli <path> → that file; else `membrane` on PATH;
// else (backend auto) the sandbox, announced loudly because its data is not a real CRM, or (backend cli) `membrane`
// anyway, so that every call says CLI_NOT_FOUND rather than quietly answering with demo data.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { CliCommand } from './cli-runner.js';
import type { Backend } from '../membrane-client.js';

export interface ResolvedCli {
  command: CliCommand;
  backend: Extract<Backend, 'membrane-cli' | 'sandbox-cli'>;
  /** One line for the start-up log: why this CLI. */
  reason: string;
  /** True when the sandbox was chosen only because no real CLI exists. */
  fallback: boolean;
  /** True when the CLI was asked for (--backend=cli) but none was found: calls will fail with CLI_NOT_FOUND. */
  missing?: boolean;
}

const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/** A `.js`/`.mjs`/`.cjs` CLI runs with the current Node (no execute permission needed). */
export function runsWithNode(path: string): boolean {
  return JS_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Execute permission, as a shell's PATH lookup checks it (Windows has none to check). */
export function isExecutable(p: string): boolean {
  if (process.platform === 'win32') return true;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file the OS would run: like a shell's PATH lookup, a file without execute permission is skipped. */
function isExecutableFile(p: string): boolean {
  try {
    return statSync(p).isFile() && isExecutable(p);
  } catch {
    return false;
  }
}

/** Looks `name` up on PATH (with PATHEXT on Windows). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').map((e) => e.toLowerCase()) : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * npm installs a `.cmd` shim on Windows that cannot be spawned without a shell. Its last line names the
 * package's JS entry (`"%dp0%\node_modules\@membranehq\cli\...\.js"`), which we run with Node instead.
 */
function jsBehindCmdShim(cmdPath: string): string | undefined {
  const text = readFileSync(cmdPath, 'utf8');
  const m = /"%(?:dp0|~dp0)%\\?([^"]+\.(?:c|m)?js)"/i.exec(text);
  if (!m) return undefined;
  const target = join(dirname(cmdPath), m[1].replace(/\\/g, '/'));
  return existsSync(target) ? target : undefined;
}

function commandFor(path: string, display: string): CliCommand {
  if (runsWithNode(path)) return { file: process.execPath, prefixArgs: [path], display };
  if (process.platform === 'win32' && extname(path).toLowerCase() === '.cmd') {
    const js = jsBehindCmdShim(path);
    if (js) return { file: process.execPath, prefixArgs: [js], display };
  }
  return { file: path, prefixArgs: [], display };
}

/** A word as a POSIX shell would need it, for commands shown to users (never executed through a shell). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The bundled sandbox, run with the current Node. `sandboxCli` is the path of its cli.js (the bin entry
 * knows it). Next steps show the exact command: `membrane-sandbox` is not on PATH in a clone, and the
 * user's shell must use the same database.
 */
export function sandboxCommand(sandboxCli: string, env: NodeJS.ProcessEnv = process.env): CliCommand {
  const db = env.MEMBRANE_SANDBOX_DB ? `MEMBRANE_SANDBOX_DB=${shellWord(env.MEMBRANE_SANDBOX_DB)} ` : '';
  // It exits with its process group when its stdin pipe ends (the server died, even by SIGKILL).
  return { file: process.execPath, prefixArgs: [sandboxCli], display: `${db}node ${shellWord(sandboxCli)}`, lifeline: true };
}

export function resolveCli(
  opts: { sandbox: boolean; membraneCli?: string; cwd: string; sandboxCli: string; fallbackToSandbox?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): ResolvedCli {
  if (opts.sandbox) {
    return {
      command: sandboxCommand(opts.sandboxCli, env),
      backend: 'sandbox-cli',
      reason: 'sandbox requested (--sandbox / MEMBRANE_CRM_SANDBOX)',
      fallback: false,
    };
  }
  if (opts.membraneCli) {
    const path = isAbsolute(opts.membraneCli) ? opts.membraneCli : resolve(opts.cwd, opts.membraneCli);
    return {
      command: commandFor(path, 'membrane'),
      backend: 'membrane-cli',
      reason: `Membrane CLI at ${path} (--membrane-cli / MEMBRANE_CLI)`,
      fallback: false,
    };
  }
  const onPath = findOnPath('membrane', env);
  if (onPath)
    return {
      command: commandFor(onPath, 'membrane'),
      backend: 'membrane-cli',
      reason: `Membrane CLI found on PATH at ${onPath}`,
      fallback: false,
    };
  if (opts.fallbackToSandbox === false) {
    return {
      command: { file: 'membrane', prefixArgs: [], display: 'membrane' },
      backend: 'membrane-cli',
      reason: 'no Membrane CLI found on PATH (--backend=cli): every call fails with CLI_NOT_FOUND until it is installed',
      fallback: false,
      missing: true,
    };
  }
  return {
    command: sandboxCommand(opts.sandboxCli, env),
    backend: 'sandbox-cli',
    reason:
      'no API credentials and no Membrane CLI found (no --membrane-cli, no `membrane` on PATH): using the bundled SANDBOX with demo data, not a real CRM',
    fallback: true,
  };
}
