// The sandbox API's child, against stand-ins for `membrane-sandbox serve` (small scripts in a temp folder): what
// counts as started, every way a start fails (named in one line, the secrets never in it), and stop() ending a child
// that ignores SIGTERM. The real `serve` is started end to end in test/e2e/shutdown.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startSandboxApiProcess, SandboxStartError } from '../../src/membrane/sandbox-api-process.js';
import { isAlive, waitFor } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-child-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines: string[] = [];
const log = createLogger({ level: 'debug', write: (l) => void lines.push(l) });

/** A stand-in `cli.js`: `body` runs with the token the server gave in MEMBRANE_SANDBOX_ACCESS_TOKEN. */
function script(name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `const token = process.env.MEMBRANE_SANDBOX_ACCESS_TOKEN;\n${body}\n`);
  return file;
}

const LISTEN = `process.stdout.write(JSON.stringify({ apiUri: 'http://127.0.0.1:4567', accessToken: token }) + '\\n');`;

async function failure(sandboxCli: string): Promise<string> {
  const child = startSandboxApiProcess({ sandboxCli, env: {}, log });
  try {
    await child.ready;
  } catch (e) {
    expect(e).toBeInstanceOf(SandboxStartError);
    return (e as Error).message;
  } finally {
    await child.stop();
  }
  throw new Error('expected the start to fail');
}

describe('startSandboxApiProcess', () => {
  it('is ready once the child prints its loopback address with the token it was given; stop() ends it', async () => {
    const cli = script(
      'ok',
      `${LISTEN}\nprocess.stderr.write('listening, Authorization: Bearer ' + token + '\\n');\nprocess.stdin.resume();`,
    );
    let exited: string | undefined;
    const child = startSandboxApiProcess({
      sandboxCli: cli,
      env: { MEMBRANE_ACCESS_TOKEN: 'pat-of-the-server-1234' },
      log,
      onExit: (w) => (exited = w),
    });
    const endpoint = await child.ready;
    expect(endpoint.apiUri).toBe('http://127.0.0.1:4567');
    expect(endpoint.accessToken).toMatch(/^pat-[A-Za-z0-9_-]{32}$/);
    expect(isAlive(child.pid!)).toBe(true);
    // Its stderr reaches the log at debug level, the token redacted.
    expect(await waitFor(() => lines.some((l) => l.includes('sandbox: listening')))).toBe(true);
    expect(lines.join('')).not.toContain(endpoint.accessToken);
    await child.stop();
    expect(isAlive(child.pid!)).toBe(false);
    expect(exited).toBeUndefined(); // stopped on purpose: not reported
  });

  it('reports a child that dies after its start, once', async () => {
    const cli = script('dies', `${LISTEN}\nsetTimeout(() => process.exit(3), 100);`);
    const reasons: string[] = [];
    const child = startSandboxApiProcess({ sandboxCli: cli, env: {}, log, onExit: (w) => reasons.push(w) });
    await child.ready;
    expect(await waitFor(() => reasons.length > 0)).toBe(true);
    expect(reasons).toEqual([
      expect.stringMatching(/^membrane-sandbox serve \(pid \d+\) exited with code 3 while the server was using it$/),
    ]);
  });

  it.each([
    [
      'exits before its line, quoting its stderr',
      `process.stderr.write('Unknown fault x\\n'); process.exit(2);`,
      /exited with code 2 before it was ready: Unknown fault x/,
    ],
    [
      'prints something that is not JSON',
      `process.stdout.write('hello\\n'); process.stdin.resume();`,
      /printed a line that is not JSON: hello/,
    ],
    [
      'prints an address that is not loopback',
      `process.stdout.write(JSON.stringify({ apiUri: 'http://10.0.0.1:1', accessToken: token }) + '\\n'); process.stdin.resume();`,
      /printed no loopback apiUri/,
    ],
    [
      'prints another token',
      `process.stdout.write(JSON.stringify({ apiUri: 'http://127.0.0.1:1', accessToken: 'pat-someone-elses' }) + '\\n'); process.stdin.resume();`,
      /another access token/,
    ],
  ])('fails a start when the child %s', async (_what, body, message) => {
    expect(await failure(script(`bad-${Math.random().toString(36).slice(2)}`, body))).toMatch(message);
  });

  it('fails a start when the sandbox is not there, and never names the secrets', async () => {
    const message = await failure(join(dir, 'missing.mjs'));
    expect(message).toMatch(/exited with code 1 before it was ready/);
    expect(message).not.toMatch(/pat-/);
  });

  it('stop() kills a child that ignores SIGTERM and its stdin', async () => {
    const cli = script('stubborn', `process.on('SIGTERM', () => {}); ${LISTEN} setInterval(() => {}, 1000);`);
    const child = startSandboxApiProcess({ sandboxCli: cli, env: {}, log });
    await child.ready;
    const started = Date.now();
    await child.stop();
    expect(isAlive(child.pid!)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
