import { UserError } from "../errors/user-error.ts";

/** Options of a named wait. Milliseconds. */
export interface EventuallyOptions {
  readonly timeoutMs: number;
  /** Pause between polls when no change signal is available. */
  readonly intervalMs?: number;
  /** Aborts the wait early (scenario cancelled, Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** What a poll saw: whether the condition holds, and the observed value to report if it never does. */
export interface Observation<T> {
  readonly satisfied: boolean;
  readonly value: T;
}

/** Thrown when a named condition did not hold in time; names the condition, the time spent and the last value seen. */
export class EventuallyTimeoutError<T> extends Error {
  readonly description: string;
  readonly lastObserved: T | undefined;
  readonly elapsedMs: number;
  constructor(description: string, elapsedMs: number, lastObserved: T | undefined, lastError: unknown) {
    const seen = lastObserved === undefined ? "nothing was observed" : `last observed: ${formatObserved(lastObserved)}`;
    const failure = lastError === undefined ? "" : `; last poll failed: ${errorMessage(lastError)}`;
    super(`timed out after ${(elapsedMs / 1000).toFixed(1)} s waiting until ${description}; ${seen}${failure}`);
    this.name = "EventuallyTimeoutError";
    this.description = description;
    this.lastObserved = lastObserved;
    this.elapsedMs = elapsedMs;
    // What was awaited and last seen says what happened; our call stack would not help a QA engineer
    // (KUBEQUAKE_VERBOSE=1 keeps it for debugging kubequake).
    if (!process.env.KUBEQUAKE_VERBOSE) this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Polls `observe` until it reports `satisfied`, and returns that observation with the time it took.
 * A poll that throws counts as "not yet"; its error is reported if the wait times out. A {@link UserError} ends the
 * wait at once: it says something is wrong that waiting cannot fix.
 */
export async function eventually<T>(
  description: string,
  observe: () => Promise<Observation<T>>,
  options: EventuallyOptions,
): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  const interval = options.intervalMs ?? 250;
  let lastObserved: T | undefined;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const observation = await observe();
      lastObserved = observation.value;
      lastError = undefined;
      if (observation.satisfied) return { value: observation.value, elapsedMs: performance.now() - started };
    } catch (error) {
      // A user's mistake (an image that cannot be pulled, say) does not go away by waiting: report it now.
      if (error instanceof UserError) throw error;
      lastError = error;
    }
    const elapsed = performance.now() - started;
    if (elapsed >= options.timeoutMs) throw new EventuallyTimeoutError(description, elapsed, lastObserved, lastError);
    await pause(Math.min(interval, options.timeoutMs - elapsed), options.signal);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export function formatObserved(value: unknown): string {
  if (typeof value === "string") return value;
  const text = JSON.stringify(value);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
