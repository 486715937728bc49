// The process table, seen from one test: the live `membrane-sandbox` processes (and the grandchildren the
// `hang` fault spawns) that belong to ONE sandbox database. Tests run in parallel, so a process is ours
// only when its environment names our MEMBRANE_SANDBOX_DB (children and grandchildren inherit it).
// Linux only (/proc); `procAvailable` says whether the checks can run, so a test can assert something
// else instead of passing vacuously elsewhere.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

export const procAvailable = process.platform === 'linux' && existsSync('/proc/self/cmdline') && existsSync('/proc/self/environ');

export interface ProcInfo {
  pid: number;
  /**
   * `sandbox`: one CLI call (dist/sandbox/cli.js); `serve`: its REST front (`cli.js serve`, the sandbox-api backend's
   * child); `grandchild`: what the `hang` fault leaves behind.
   */
  kind: 'sandbox' | 'serve' | 'grandchild';
  argv: string[];
}

const SANDBOX_MARK = 'dist/sandbox/cli.js';
const GRANDCHILD_MARK = 'membrane-sandbox-grandchild';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** The one-letter state from /proc/<pid>/stat (R, S, D, Z, T…), undefined when the process is gone. */
export function procState(pid: number): string | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // "pid (comm) S …": comm may contain spaces and parentheses, so look after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!procAvailable) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const state = procState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Live sandbox processes (CLI calls, the REST front) and grandchildren whose environment carries MEMBRANE_SANDBOX_DB=<db>. */
export function sandboxProcesses(db: string): ProcInfo[] {
  if (!procAvailable) return [];
  const wanted = `MEMBRANE_SANDBOX_DB=${db}`;
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = read(`/proc/${pid}/cmdline`);
    if (!cmdline) continue; // zombies have an empty cmdline
    const argv = cmdline.split('\0').filter(Boolean);
    const cli = argv.findIndex((a) => a.endsWith(SANDBOX_MARK));
    const kind = argv.includes(GRANDCHILD_MARK) ? 'grandchild' : cli < 0 ? undefined : argv[cli + 1] === 'serve' ? 'serve' : 'sandbox';
    if (!kind) continue;
    const environ = read(`/proc/${pid}/environ`);
    if (!environ?.split('\0').includes(wanted)) continue;
    if (!isAlive(pid)) continue;
    found.push({ pid, kind, argv });
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until no sandbox process of `db` is left, up to `timeoutMs`. Returns what is still alive then
 * (an empty array means clean), so the caller's assertion shows the leftovers.
 */
export async function waitForNoSandboxProcesses(db: string, timeoutMs = 5000): Promise<ProcInfo[]> {
  await waitFor(() => sandboxProcesses(db).length === 0, timeoutMs, 50);
  return sandboxProcesses(db);
}

/**
 * Polls until each of these processes has ended, up to `timeoutMs`; returns the ones still alive then as
 * "pid (kind)" (an empty array means all ended). A process tearing itself down drops out of `sandboxProcesses` (its
 * cmdline and environment are unreadable) a moment before its pid is gone, so a test that saw a pid waits on the pid.
 */
export async function waitForPidsToEnd(procs: readonly { pid: number; kind?: string }[], timeoutMs = 5000): Promise<string[]> {
  const alive = () => procs.filter((p) => isAlive(p.pid)).map((p) => (p.kind ? `${p.pid} (${p.kind})` : String(p.pid)));
  await waitFor(() => alive().length === 0, timeoutMs);
  return alive();
}

/** Polls until `pred` holds, up to `timeoutMs`; returns whether it did. */
export async function waitFor(pred: () => boolean, timeoutMs = 5000, everyMs = 25): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (pred()) return true;
    if (Date.now() >= until) return false;
    await sleep(everyMs);
  }
}

export interface ProcessSampler {
  /** Highest number of live sandbox CLI processes (grandchildren not counted) seen at once. */
  readonly max: number;
  /** Samples taken so far. */
  readonly samples: number;
  stop(): Promise<{ max: number; samples: number }>;
}

/** Samples the process table every `everyMs` until stopped, tracking the most sandbox processes seen at once. */
export function sampleSandboxProcesses(db: string, everyMs = 20): ProcessSampler {
  let max = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const n = sandboxProcesses(db).filter((p) => p.kind === 'sandbox').length;
      samples++;
      if (n > max) max = n;
      await sleep(everyMs);
    }
  })();
  return {
    get max() {
      return max;
    },
    get samples() {
      return samples;
    },
    async stop() {
      running = false;
      await loop;
      return { max, samples };
    },
  };
}

/** Peak resident set size (VmHWM) of a process in KiB, from /proc/<pid>/status; undefined when unknown. */
export function peakRssKb(pid: number): number | undefined {
  const status = procAvailable ? read(`/proc/${pid}/status`) : undefined;
  const m = status ? /^VmHWM:\s+(\d+)\s+kB/m.exec(status) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * After a failed test: SIGKILL whatever of this database's sandbox processes is still alive (by pid,
 * nothing else), so one broken run does not leave processes on the machine. Returns how many it killed.
 */
export function killLeftovers(db: string): number {
  let killed = 0;
  for (const p of sandboxProcesses(db)) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}
