// Reconnects and retries wait longer each time, with jitter, so that a node coming back is not
// met by every client of the cluster in the same millisecond. Pure: the random source is
// injected, so tests pin the sequence.

export interface BackoffOptions {
  /** First delay before jitter, ms. */
  baseMs: number;
  /** Ceiling of the delay before jitter, ms. */
  maxMs: number;
  /** A source of numbers in [0, 1); Math.random by default. */
  random?: () => number;
}

/**
 * The delay before try `attempt` (0-based): "equal jitter", half the exponential step plus a random
 * half. Never zero (a tight loop against a down server helps nobody), never above maxMs.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** A counter of failures in a row; a success resets it. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next try, and counts this failure. */
  next(): number {
    return backoffDelay(this.attempt++, this.options);
  }

  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** How long a 429 or 503 asked us to wait (`Retry-After` in seconds or an HTTP date), in ms. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
