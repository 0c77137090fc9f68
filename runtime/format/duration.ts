// Durations in pipeline JSON: a number is milliseconds; a string is "<n><unit>" with unit
// ms|s|m|h|d (pipeline-format.md, "Envelope"). Parsed once at validation time, never per record.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * The longest duration any param takes: 100 years. Longer ones (400 nines parse to Infinity) are
 * mistakes, and arithmetic on them (window ends, timer times) loses the millisecond.
 */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/**
 * The longest wait a timer can take: Node's setTimeout turns anything longer than 2^31 − 1 ms
 * (24.8 days) into 1 ms, so timeouts, backoffs and intervals above it are refused.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Milliseconds for a duration value, or null when it is not a valid duration (or longer than MAX_DURATION_MS). */
export function parseDuration(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const m = DURATION_PATTERN.exec(value.trim());
    if (!m) return null;
    ms = Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  } else return null;
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_DURATION_MS ? ms : null;
}
