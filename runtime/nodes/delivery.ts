// The `deliveryGuarantee` param of the sinks toward Redis, HTTP and SMTP, named after Flink's
// DeliveryGuarantee (AT_LEAST_ONCE / EXACTLY_ONCE); runtime/engine/transactional-sink.ts is the
// exactly-once side.
import { z } from 'zod';

export function deliveryGuarantee(exactly: string) {
  return z
    .enum(['at-least-once', 'exactly-once'])
    .default('at-least-once')
    .meta({
      description: `\`at-least-once\`: written as records arrive; after a crash, what was written since the last checkpoint is written again. \`exactly-once\`: ${exactly} Output waits for the next completed checkpoint (up to one checkpoint interval; without checkpoints, until the run ends) and one interval of output is held in memory and in the checkpoint.`,
    });
}
