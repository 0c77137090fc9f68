// Where a Kafka read starts and, when bounded, where it ends: Flink's OffsetsInitializer
// (earliest, latest, committedOffsets with an EARLIEST fallback, timestamp) and, for a bounded
// read, the latest offsets at start (KafkaSourceBuilder.setBounded(OffsetsInitializer.latest())).
import type { KafkaAdmin, PartitionOffset } from '../../connectors/kafka/types.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import { retryWhileCoordinatorLoads } from '../../connectors/kafka/retriable.js';

export type StartFrom = 'earliest' | 'latest' | 'committed' | { timestamp: number | string };

export async function resolveStart(
  admin: KafkaAdmin,
  nodeId: string,
  topics: readonly string[],
  groupId: string,
  from: StartFrom,
  bounded: boolean,
): Promise<{ start: PartitionOffset[]; ends: Map<string, number>; range: Map<string, [number, number]> }> {
  const start: PartitionOffset[] = [];
  const ends = new Map<string, number>();
  /** Per partition the offsets the log holds now, earliest and latest (a restored position must lie within). */
  const range = new Map<string, [number, number]>();
  for (const topic of topics) {
    let partitions: number[];
    try {
      partitions = await admin.partitions(topic);
    } catch (err) {
      throw new NodeError(nodeId, `topic '${topic}': ${errorMessage(err)}`, { cause: err });
    }
    const earliest = await admin.offsets(topic, 'earliest');
    const latest = await admin.offsets(topic, 'latest');
    let chosen: Map<number, number>;
    if (from === 'earliest') chosen = earliest;
    else if (from === 'latest') chosen = latest;
    else if (from === 'committed') {
      const committed = await retryWhileCoordinatorLoads(() => admin.committed(groupId, topic));
      // No commit yet, or one older than what the log still holds: start at the earliest.
      chosen = new Map(partitions.map((p) => [p, Math.max(committed.get(p) ?? -1, earliest.get(p) ?? 0)]));
    } else {
      const ts = typeof from.timestamp === 'number' ? from.timestamp : Date.parse(from.timestamp);
      chosen = await admin.offsets(topic, ts);
    }
    for (const partition of partitions) {
      start.push({ topic, partition, offset: chosen.get(partition) ?? earliest.get(partition) ?? 0 });
      if (bounded) ends.set(`${topic}:${partition}`, latest.get(partition) ?? 0);
      range.set(`${topic}:${partition}`, [earliest.get(partition) ?? 0, latest.get(partition) ?? 0]);
    }
  }
  return { start, ends, range };
}
