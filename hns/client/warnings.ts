/**
 * Failures that do not change an operation's outcome, such as a handle that would not close after its
 * work was done. hns/ knows nothing of its callers' logs, so it reports them to whoever listens while
 * the operation runs (the plugin passes them to its log); with no listener they are dropped.
 */
export interface HnsWarning {
  message: string;
  /** The error behind the warning. */
  error: unknown;
}

export type HnsWarningListener = (warning: HnsWarning) => void;

const listeners: HnsWarningListener[] = [];

export function reportHnsWarning(message: string, error: unknown): void {
  for (const listen of listeners) {
    try {
      listen({ message, error });
    } catch {
      // A listener that fails must not turn a warning into a failure.
    }
  }
}

/** Run `fn` with `listener` told of every HNS warning raised meanwhile (the calls are synchronous). */
export function withHnsWarnings<T>(listener: HnsWarningListener, fn: () => T): T {
  listeners.push(listener);
  try {
    return fn();
  } finally {
    listeners.splice(listeners.lastIndexOf(listener), 1);
  }
}
