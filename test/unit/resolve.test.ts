// Which CLI the server runs: decided once at start-up from --sandbox, --membrane-cli and PATH.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, resolveCli as resolveWith, sandboxCommand as sandboxWith } from '../../src/membrane/cli/resolve-cli.js';

/** Where the bin entry says the sandbox lives (index.ts passes dist/sandbox/cli.js). */
const SANDBOX_CLI_PATH = '/pkg/dist/sandbox/cli.js';
const resolveCli = (opts: { sandbox: boolean; membraneCli?: string; cwd: string }, env: NodeJS.ProcessEnv) =>
  resolveWith({ ...opts, sandboxCli: SANDBOX_CLI_PATH }, env);
const sandboxCommand = () => sandboxWith(SANDBOX_CLI_PATH, {});

const posix = process.platform !== 'win32';
const root = mkdtempSync(join(tmpdir(), 'mcrm-resolve-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding an executable `membrane` file. */
function binDir(name: string, mode = 0o755): { dir: string; file: string } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'membrane');
  writeFileSync(file, '#!/bin/sh\necho "{}"\n');
  chmodSync(file, mode);
  return { dir, file };
}

const emptyDir = join(root, 'empty');
mkdirSync(emptyDir, { recursive: true });

describe('resolveCli', () => {
  it('--sandbox → the bundled sandbox, run with the current Node, even when membrane is on PATH', () => {
    const { dir } = binDir('sandbox-wins');
    const r = resolveCli({ sandbox: true, cwd: root }, { PATH: dir });
    expect(r.backend).toBe('sandbox-cli');
    expect(r.fallback).toBe(false);
    // Users are shown the exact command: `membrane-sandbox` is not on PATH in a clone.
    expect(r.command).toEqual({
      file: process.execPath,
      prefixArgs: [SANDBOX_CLI_PATH],
      display: `node ${SANDBOX_CLI_PATH}`,
      lifeline: true,
    });
    expect(sandboxWith('/a b/cli.js', { MEMBRANE_SANDBOX_DB: '/tmp/x.db' }).display).toBe(
      "MEMBRANE_SANDBOX_DB=/tmp/x.db node '/a b/cli.js'",
    );
    expect(r.reason).toMatch(/sandbox requested/);
  });

  it('the sandbox path points at dist/sandbox/cli.js or src/sandbox/cli.js next to the module', () => {
    expect(SANDBOX_CLI_PATH).toMatch(/[\\/]sandbox[\\/]cli\.js$/);
    expect(sandboxCommand().prefixArgs).toEqual([SANDBOX_CLI_PATH]);
  });

  it.each(['cli.js', 'cli.mjs', 'cli.cjs', 'CLI.JS'])('a %s path runs with process.execPath + the path', (name) => {
    const path = join(root, name);
    const r = resolveCli({ sandbox: false, membraneCli: path, cwd: '/' }, { PATH: emptyDir });
    expect(r.backend).toBe('membrane-cli');
    expect(r.fallback).toBe(false);
    expect(r.command).toEqual({ file: process.execPath, prefixArgs: [path], display: 'membrane' });
  });

  it('a relative --membrane-cli path is resolved against cwd', () => {
    const r = resolveCli({ sandbox: false, membraneCli: 'tools/membrane.mjs', cwd: root }, { PATH: emptyDir });
    expect(r.command.prefixArgs).toEqual([join(root, 'tools', 'membrane.mjs')]);
  });

  it('a binary path runs as itself', () => {
    const r = resolveCli({ sandbox: false, membraneCli: '/opt/membrane/bin/membrane', cwd: root }, { PATH: emptyDir });
    expect(r.backend).toBe('membrane-cli');
    expect(r.command).toEqual({ file: '/opt/membrane/bin/membrane', prefixArgs: [], display: 'membrane' });
    expect(r.reason).toContain('/opt/membrane/bin/membrane');
  });

  it('--membrane-cli wins over membrane on PATH', () => {
    const { dir } = binDir('explicit-wins');
    const r = resolveCli({ sandbox: false, membraneCli: '/x/membrane', cwd: root }, { PATH: dir });
    expect(r.command.file).toBe('/x/membrane');
  });

  it('membrane found on PATH → the membrane-cli backend', () => {
    const { dir, file } = binDir('on-path');
    const r = resolveCli({ sandbox: false, cwd: root }, { PATH: [emptyDir, join(root, 'missing'), dir].join(delimiter) });
    expect(r.backend).toBe('membrane-cli');
    expect(r.fallback).toBe(false);
    expect(r.command).toEqual({ file, prefixArgs: [], display: 'membrane' });
    expect(r.reason).toContain(file);
  });

  it('the first PATH entry wins', () => {
    const a = binDir('first');
    const b = binDir('second');
    expect(findOnPath('membrane', { PATH: [a.dir, b.dir].join(delimiter) })).toBe(a.file);
  });

  it('a directory named membrane is not a CLI', () => {
    const dir = join(root, 'dir-named');
    mkdirSync(join(dir, 'membrane'), { recursive: true });
    expect(findOnPath('membrane', { PATH: dir })).toBeUndefined();
  });

  it.runIf(posix)('a non-executable file named membrane is skipped, as a shell would', () => {
    const plain = binDir('not-executable', 0o644);
    const real = binDir('executable');
    expect(findOnPath('membrane', { PATH: plain.dir })).toBeUndefined();
    expect(findOnPath('membrane', { PATH: [plain.dir, real.dir].join(delimiter) })).toBe(real.file);
  });

  it('nothing found → the sandbox, flagged as a fallback with a loud reason', () => {
    for (const env of [{ PATH: emptyDir }, { PATH: '' }, {}]) {
      const r = resolveCli({ sandbox: false, cwd: root }, env);
      expect(r.backend).toBe('sandbox-cli');
      expect(r.fallback).toBe(true);
      expect(r.command).toEqual(sandboxCommand());
      expect(r.reason).toMatch(/no Membrane CLI found/);
      expect(r.reason).toMatch(/SANDBOX/);
    }
  });
});
