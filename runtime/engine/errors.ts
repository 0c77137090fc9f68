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
