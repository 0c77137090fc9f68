// Both Kafka clients read through consumer-group membership, so a second live member of the same
// group (another run of a pipeline with the same groupId, or any other consumer) is handed some of
// the partitions this run must read. A bounded run would then wait forever for partitions it never
// gets, and an unbounded one would silently read part of the topic. Flink's KafkaSource assigns
// partitions itself and never shares them; the nearest we can do is to refuse a partial assignment.
// A member that died (kill -9) does not cause one: the coordinator evicts it before assigning.
import type { TopicPartition } from './types.js';

/** The error for an assignment lacking some of `wanted`, or null when every partition is there. */
export function partialAssignment(groupId: string, wanted: readonly TopicPartition[], assigned: ReadonlyMap<string, readonly number[]>): Error | null {
  const missing = wanted.filter((w) => !(assigned.get(w.topic) ?? []).includes(w.partition));
  if (missing.length === 0) return null;
  const names = missing.map((m) => `${m.topic}[${m.partition}]`).join(', ');
  return new Error(
    `consumer group '${groupId}' has another member, which was given ${names}: another run (or consumer) uses this group. Give each pipeline its own groupId`,
  );
}
