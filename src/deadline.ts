// One way to give a promise a deadline: the hand-made race (a timer, Promise.race, clearing the timer) was written
// out in five places before.

/**
 * What `work` settles to, unless `ms` pass first: then what `late()` returns (or throws). The timer is cleared as
 * soon as the race is decided, so it never keeps the process alive; a late settlement of `work` is ignored.
 */
export async function withDeadline<T, L = never>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
