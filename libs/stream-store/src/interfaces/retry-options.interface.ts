export interface RetryOptions {
  /** Attempts in all, the first included; 1 = no retry. Default 3. */
  attempts?: number;
  /** Delay before the first retry, in ms; doubles each time. Default 200. */
  initialDelayMs?: number;
  /** Cap on the delay between attempts, in ms. Default 5 000. */
  maxDelayMs?: number;
}
