// One clock call at a time for a processing-time operator, at the earliest time it has something
// due: moved earlier when something earlier comes due, armed again after each call. Window firings
// and CEP expiry use it; what is due and what to do then are the operator's.
import type { ProcessingClock } from './clock.js';

export class ClockWake {
  private cancel: (() => void) | null = null;
  private at = Infinity;

  /**
   * @param due the earliest time something is due (+Infinity: nothing)
   * @param fire runs when the clock reaches it (operators pass a TimedOperator.onClock wrapper)
   */
  constructor(
    private readonly clock: ProcessingClock,
    private readonly due: () => number,
    private readonly fire: () => void,
  ) {}

  /** Make sure a call is scheduled for the earliest due time. */
  arm(): void {
    const at = this.due();
    if (at >= this.at || at === Infinity) return;
    this.cancel?.();
    this.at = at;
    this.cancel = this.clock.schedule(at, () => {
      this.cancel = null;
      this.at = Infinity;
      this.fire();
      this.arm();
    });
  }

  /** Cancel the pending call: nothing fires after this. */
  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.at = Infinity;
  }
}
