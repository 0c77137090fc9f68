// Group-coordinator errors a broker gives while it is still starting: a freshly started broker
// answers COORDINATOR_LOAD_IN_PROGRESS while it loads __consumer_offsets, for seconds. Kafka marks
// them retriable (org.apache.kafka.common.errors.CoordinatorLoadInProgressException extends
// RetriableException); the Java consumer retries them, and so do we, for a bounded time.

// kafkajs names them GROUP_LOAD_IN_PROGRESS, GROUP_COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR_FOR_GROUP;
// @platformatic/kafka by the protocol's names (COORDINATOR_LOAD_IN_PROGRESS, …).
const RETRIABLE = /coordinator is loading|coordinator is not available|not the correct coordinator|(?:COORDINATOR|GROUP)_LOAD_IN_PROGRESS|COORDINATOR_NOT_AVAILABLE|NOT_COORDINATOR/i;

function messages(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 5; i++) {
    if (e instanceof Error) {
      // kafkajs: type (and originalError once its retries are spent); @platformatic/kafka: apiId, nested in errors.
      const x = e as { type?: string; code?: string; apiId?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
      parts.push(e.message, x.type ?? '', x.code ?? '', x.apiId ?? '');
      e = x.cause ?? x.originalError ?? (Array.isArray(x.errors) ? x.errors[0] : undefined);
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(' ');
}

export function isRetriableCoordinatorError(err: unknown): boolean {
  return RETRIABLE.test(messages(err));
}

/** Run `fn`, again after a short wait while the group coordinator is still loading, for up to `forMs`. */
export async function retryWhileCoordinatorLoads<T>(fn: () => Promise<T>, forMs = 30_000): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriableCoordinatorError(err) || Date.now() - started > forMs) throw err;
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
    }
  }
}
