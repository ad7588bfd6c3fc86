/** Synchronous sleep: the HCN calls are synchronous, so waiting inside one must block the thread. */
const cell = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}

/** Block until the process is killed (the `hang` fault). */
export function hangForever(): never {
  for (;;) Atomics.wait(cell, 0, 0, 3_600_000);
}
