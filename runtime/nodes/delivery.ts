// The `deliveryGuarantee` param of the sinks toward Redis, HTTP and SMTP, named after Flink's
// DeliveryGuarantee (AT_LEAST_ONCE / EXACTLY_ONCE); runtime/engine/transactional-sink.ts is the
// exactly-once side.
import { z } from 'zod';

export function deliveryGuarantee(exactly: string) {
  return z
    .enum(['at-least-once', 'exactly-once'])
    .default('at-least-once')
    .meta({
      description: `\`at-least-once\`: written as records arrive; after a crash, what was written since the last checkpoint is written again. \`exactly-once\`: ${exactly} Output waits for the next completed checkpoint (up to one checkpoint interval) and one interval of output is held in memory and in the checkpoint. A run without periodic checkpoints (the editor's runs, \`--checkpoint-interval 0\`, a pipeline that cannot be checkpointed) writes as records arrive: no restore can repeat its output, only a savepoint taken on stop, whose output is never written twice.`,
    });
}
