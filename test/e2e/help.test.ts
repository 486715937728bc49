// `--help` lists every flag and `--version` prints only the version, for both bins (the built ones in
// dist/, as users run them). The flag lists come from the code: SETTINGS for the server, the command
// table and global options for the sandbox, so a new flag without help text fails here.
import { execa } from 'execa';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.js';
import { GLOBAL_OPTIONS } from '../../src/sandbox/args.js';
import { COMMANDS } from '../../src/sandbox/cli.js';
import { DEFAULT_BUILD_MS } from '../../src/sandbox/engine/engine-context.js';
import { ROOT, SANDBOX_CLI, SERVER_CLI } from '../helpers/sandbox.js';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Runs a built bin with a clean environment (no settings or faults from the developer's shell). */
const run = (bin: string, args: string[]) =>
  execa(process.execPath, [bin, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 20_000,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });

/** `--flag` as a whole word: `--cache` is not found inside `--no-cache`, nor `--connection` in `--connectionId`. */
function mentions(text: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`).test(text);
}

function missingFlags(text: string, flags: readonly string[]): string[] {
  return flags.filter((f) => !mentions(text, f));
}

describe('membrane-crm-mcp', () => {
  it('--help lists every setting flag, --no-cache, --help, --version and the doctor subcommand', async () => {
    const r = await run(SERVER_CLI, ['--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    const flags = [...SETTINGS.filter((s) => s.flag).map((s) => `--${s.flag}`), '--no-cache', '--help', '--version'];
    expect(flags.length).toBeGreaterThan(10);
    expect(missingFlags(r.stdout, flags)).toEqual([]);
    expect(r.stdout).toMatch(/\bdoctor\b/);
  });

  it('--version prints only the package version', async () => {
    const r = await run(SERVER_CLI, ['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(version);
    expect(r.stderr).toBe('');
  });
});

describe('membrane-sandbox', () => {
  const globals = GLOBAL_OPTIONS.map((o) => `--${o}`);

  it('--help lists every command with every flag it accepts, the global flags and the environment', async () => {
    const r = await run(SANDBOX_CLI, ['--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of COMMANDS) expect(r.stdout, c.path.join(' ')).toContain(`membrane-sandbox ${c.synopsis}`);
    const flags = [...new Set(COMMANDS.flatMap((c) => c.options.map((o) => `--${o}`)))];
    expect(missingFlags(r.stdout, [...flags, ...globals, '--json', '--help', '--version'])).toEqual([]);
    // Every MEMBRANE_* variable the sandbox's code reads, with a line of its own.
    const vars = sandboxEnvVars();
    expect(vars).toContain('MEMBRANE_SANDBOX_DB');
    for (const v of vars) expect(r.stdout, v).toMatch(new RegExp(`^  ${v} +\\S`, 'm'));
    expect(r.stdout).toContain(`(default ${DEFAULT_BUILD_MS})`);
  });

  it("each command's --help lists that command's flags and the global ones", async () => {
    const results = await Promise.all(COMMANDS.map((c) => run(SANDBOX_CLI, [...c.path, '--help'])));
    results.forEach((r, i) => {
      const c = COMMANDS[i];
      const name = c.path.join(' ');
      expect(r.exitCode, name).toBe(0);
      expect(r.stdout.startsWith(`membrane-sandbox ${c.synopsis}\n`), name).toBe(true);
      expect(missingFlags(r.stdout, [...c.options.map((o) => `--${o}`), ...globals]), name).toEqual([]);
    });
  });

  it('help --json keeps one usage line per command', async () => {
    const r = await run(SANDBOX_CLI, ['help', '--json']);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout) as { usage: string[]; options: string[]; environment: string[] };
    expect(json.usage).toEqual(COMMANDS.map((c) => `membrane-sandbox ${c.synopsis}`));
    expect(json.environment.length).toBe(sandboxEnvVars().length);
  });

  it('--version prints only the package version (also after a command, and as JSON)', async () => {
    const [plain, after, json] = await Promise.all([
      run(SANDBOX_CLI, ['--version']),
      run(SANDBOX_CLI, ['status', '--version']),
      run(SANDBOX_CLI, ['--version', '--json']),
    ]);
    for (const r of [plain, after]) {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(version);
      expect(r.stderr).toBe('');
    }
    expect(JSON.parse(json.stdout)).toEqual({ version });
  });
});

/** The MEMBRANE_* environment variables src/sandbox reads (`env.NAME`), found in its sources. */
function sandboxEnvVars(): string[] {
  const dir = join(ROOT, 'src', 'sandbox');
  const names = new Set<string>();
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\benv\.(MEMBRANE_[A-Z0-9_]+)/g)) names.add(m[1]);
  }
  return [...names].sort();
}

it('--help answers even when the environment holds a bad setting', async () => {
  const r = await execa(process.execPath, [SERVER_CLI, '--help'], { env: { MEMBRANE_CRM_MAX_CONCURRENCY: 'abc' }, reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^Usage: membrane-crm-mcp/);
});
