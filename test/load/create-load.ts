// The load driver shared by the small load test in `npm test` (test/e2e/load.test.ts) and the full run in
// `npm run test:load` (test/load/load-full.load.ts): N distinct `create-note` calls (1CRM) from one SDK
// client with K in flight, against the built server on one sandbox backend and a fresh sandbox database. It
// measures what the issue asks for: calls, errors, lost or doubled writes (the sandbox's record count), orphan
// processes, duration and the server's peak RSS, plus the sandbox calls it took (the sandbox's call log).
import { join } from 'node:path';
import { callLogEnv, loggedCalls, type TestBackend } from '../helpers/backends.js';
import { startServer } from '../helpers/mcp.js';
import { killLeftovers, peakRssKb, procAvailable, sandboxProcesses, waitForNoSandboxProcesses } from '../helpers/processes.js';
import { runSandbox, tempDb } from '../helpers/sandbox.js';

export interface LoadReport {
  calls: number;
  inFlight: number;
  errors: number;
  /** Error codes and how often (empty when there were no errors). */
  errorCodes: Record<string, number>;
  /** Notes in the sandbox before and after: the difference must be `calls`. */
  recordsBefore: number;
  recordsAfter: number;
  /** Distinct record ids the calls returned. */
  distinctIds: number;
  backend: TestBackend['name'];
  /** Sandbox processes alive right after the last answer (the API backend's own `serve` child not counted), and after the server closed. */
  orphansAtEnd: number;
  orphansAfterClose: number;
  durationMs: number;
  /** VmHWM of the server process, KiB (undefined without /proc). */
  peakRssKb?: number;
  /** Sandbox calls the server made (CLI processes or API requests), and how many of them were `action run`. */
  sandboxCalls: number;
  actionRuns: number;
  /** Per-call latency, ms. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

async function noteCount(db: string): Promise<number> {
  const info = await runSandbox(['sandbox', 'info', '--json'], { db });
  if (info.exitCode !== 0) throw new Error(`sandbox info failed: ${info.stderr}`);
  return (info.json as { counts: { '1crm': { Note: number } } }).counts['1crm'].Note;
}

export async function runCreateLoad(opts: {
  backend: TestBackend;
  calls: number;
  inFlight: number;
  label: string;
  serverArgs?: string[];
}): Promise<LoadReport> {
  const t = tempDb('load-');
  const callLog = join(t.dir, 'calls.log');
  try {
    const recordsBefore = await noteCount(t.path);
    const server = await startServer({ backend: opts.backend, db: t.path, args: opts.serverArgs, env: callLogEnv(opts.backend, callLog) });
    const pid = server.pid();
    const run = `${process.pid}-${Date.now().toString(36)}`;
    const errorCodes: Record<string, number> = {};
    const ids = new Set<string>();
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < opts.calls) {
        const i = next++;
        const t0 = Date.now();
        const r = await server.call(
          'onecrm_run_action',
          { actionId: 'create-note', input: { name: `Load note ${i} of ${opts.calls} (${run})`, description: `call ${i}` } },
          { timeout: 120_000 },
        );
        latencies.push(Date.now() - t0);
        if (r.isError) {
          errors++;
          const code = String((r.structuredContent?.error as { code?: string } | undefined)?.code ?? 'NO_CODE');
          errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        } else {
          const id = (r.structuredContent?.output as { id?: string } | undefined)?.id;
          if (id) ids.add(id);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.inFlight, opts.calls) }, worker));
    const durationMs = Date.now() - started;
    const orphansAtEnd = sandboxProcesses(t.path).filter((p) => p.kind !== 'serve').length;
    const rss = pid !== undefined ? peakRssKb(pid) : undefined;
    await server.close();
    const orphansAfterClose = procAvailable ? (await waitForNoSandboxProcesses(t.path)).length : 0;
    const recordsAfter = await noteCount(t.path);
    const calls = loggedCalls(opts.backend, callLog);
    const sandboxCalls = calls.length;
    const actionRuns = calls.filter((c) => c.operation === 'action run').length;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    const report: LoadReport = {
      calls: opts.calls,
      inFlight: opts.inFlight,
      backend: opts.backend.name,
      errors,
      errorCodes,
      recordsBefore,
      recordsAfter,
      distinctIds: ids.size,
      orphansAtEnd,
      orphansAfterClose,
      durationMs,
      peakRssKb: rss,
      sandboxCalls,
      actionRuns,
      p50Ms: pct(50),
      p95Ms: pct(95),
      maxMs: latencies[latencies.length - 1],
    };
    console.error(
      `[load ${opts.label} on ${opts.backend.name}] calls ${report.calls} (${report.inFlight} in flight), errors ${report.errors} ${JSON.stringify(report.errorCodes)}, ` +
        `records +${recordsAfter - recordsBefore}, distinct ids ${report.distinctIds}, orphans ${orphansAtEnd}/${orphansAfterClose}, ` +
        `duration ${durationMs} ms (p50 ${report.p50Ms}, p95 ${report.p95Ms}, max ${report.maxMs}), sandbox calls ${sandboxCalls} (${actionRuns} action run), ` +
        `server peak RSS ${rss !== undefined ? `${(rss / 1024).toFixed(1)} MiB` : 'n/a'}`,
    );
    return report;
  } finally {
    killLeftovers(t.path); // only matters when something went wrong
    t.cleanup();
  }
}
