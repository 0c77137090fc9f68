// Operators in the middle of a pipeline that hold a connection (a lookup's Redis client, a model
// server): the job opens them with the sources and sinks, before any record flows, so an
// unreachable server fails the run at start naming the node, and closes them when the run ends.

export interface Lifecycle {
  open(): Promise<void>;
  close(): Promise<void>;
}

export function hasLifecycle(op: unknown): op is Lifecycle {
  const o = op as Partial<Lifecycle>;
  return typeof o.open === 'function' && typeof o.close === 'function';
}
