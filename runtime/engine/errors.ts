// Failures that name the node they happened in: the CLI prints them and exits 1 (runtime) or 2
// (invalid pipeline), and the editor pins them to the node on the canvas.

export class NodeError extends Error {
  constructor(
    readonly nodeId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NodeError';
  }

  override toString(): string {
    return `node '${this.nodeId}': ${this.message}`;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A field value as a message shows it. JSON.stringify writes Infinity and NaN as `null` (a
 * timestamp of 1e400 parses to Infinity), which would tell the user the field was null.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : `${v} (a number beyond the range of a double, such as 1e400)`;
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return String(v);
  }
}
