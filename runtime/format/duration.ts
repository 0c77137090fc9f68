// Durations in pipeline JSON: a number is milliseconds; a string is "<n><unit>" with unit
// ms|s|m|h|d (pipeline-format.md, "Envelope"). Parsed once at validation time, never per record.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds for a duration value, or null when it is not a valid duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = DURATION_PATTERN.exec(value.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}
