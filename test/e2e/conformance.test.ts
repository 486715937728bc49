// The MCP conformance suite (@modelcontextprotocol/conformance 0.1.13, the newest that runs on Node 20)
// against `--http`. It has no stdio mode. Only the scenarios that test a server's own protocol behaviour
// apply: the others call fixture tools of the SDK's "everything" server, and some of those pass falsely
// against any server that answers "tool not found".
// Its output is captured, not printed: its "Passed: …" lines must not read as this suite's summary.
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HttpServerHandle, startHttpServer } from '../helpers/http.js';

const require = createRequire(import.meta.url);
const CONFORMANCE = require.resolve('@modelcontextprotocol/conformance/dist/index.js');
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'logging-set-level'] as const;

let srv: HttpServerHandle;
beforeAll(async () => {
  srv = await startHttpServer();
});
afterAll(async () => {
  await srv?.stop();
});

it.each(SCENARIOS)('passes %s', { timeout: 60_000 }, async (scenario) => {
  const r = await execa(process.execPath, [CONFORMANCE, 'server', '--url', srv.url, '--scenario', scenario], {
    cwd: tmpdir(),
    reject: false,
    timeout: 50_000,
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes (ESC sequences)
  const out = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  expect(r.exitCode, out + r.stderr).toBe(0);
  expect(out).toMatch(new RegExp(`\\[${scenario}\\] SUCCESS`));
  expect(out).not.toMatch(/FAILURE|WARNING/);
  expect(out).toMatch(/Passed: (\d+)\/\1, 0 failed, 0 warnings/);
});
