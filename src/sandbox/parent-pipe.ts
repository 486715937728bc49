// A sandbox process started by the MCP server must not outlive it, however it dies (SIGKILL included, when it
// cannot clean up). Its stdin is then a pipe the server holds open and never writes: the kernel closes the
// server's end when the server dies, and the sandbox sees its stdin end. Only a pipe or a socket counts: a
// terminal, /dev/null or a file says nothing about a parent.
import { fstatSync } from 'node:fs';

/** True when stdin is a pipe or a socket: its end means the process that holds the other end is gone. */
function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * Calls `onEnd` once when stdin (a pipe) ends or fails; watches nothing when stdin is not a pipe. Returns the
 * way to stop watching. `keepAlive` false: the watch alone does not keep the process running (a command still
 * ends by itself).
 */
export function whenStdinEnds(onEnd: () => void, keepAlive = true): () => void {
  if (!stdinIsPipe()) return () => undefined;
  const unwatch = () => {
    process.stdin.off('end', end);
    process.stdin.off('close', end);
    process.stdin.off('error', end);
  };
  const end = () => {
    unwatch();
    onEnd();
  };
  process.stdin.once('end', end);
  process.stdin.once('close', end);
  process.stdin.once('error', end);
  process.stdin.resume();
  if (!keepAlive) (process.stdin as unknown as { unref?: () => void }).unref?.();
  return unwatch;
}
