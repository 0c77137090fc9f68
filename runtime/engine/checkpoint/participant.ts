// What a source or sink keeps in a checkpoint besides operator state (timed.ts `Stateful`): a
// source's read position, a sink's committed output. Flink splits the same duties between
// CheckpointedFunction (snapshotState / initializeState) and CheckpointListener
// (notifyCheckpointComplete); TwoPhaseCommitSinkFunction adds preCommit.

export interface Checkpointed {
  /**
   * Synchronous, at a batch boundary with nothing in flight: a copy of what a restart needs,
   * structured-clone-able (it is written with v8.serialize) and independent of the live state:
   * it is encoded and written after the sources go on (coordinator.ts).
   */
  snapshotCheckpoint(): unknown;
  /** Called before `open()` with what `snapshotCheckpoint` returned in an earlier run. */
  restoreCheckpoint(s: unknown): void;
  /**
   * After the snapshot, before the checkpoint is written: make durable what the snapshot covers
   * (a file sink flushes and fsyncs up to the length it recorded). Sources keep running meanwhile.
   */
  prepareCheckpoint?(): Promise<void>;
  /** The checkpoint is written: what it covers may be published (Flink's notifyCheckpointComplete). */
  checkpointComplete?(id: number): Promise<void>;
  /** The checkpoint failed after its snapshot (Flink's notifyCheckpointAborted): what it sealed stays open. */
  checkpointAborted?(id: number): void;
  /** Told before the job opens: ms between periodic checkpoints, null when only savepoints are taken. */
  checkpointInterval?(ms: number | null): void;
}

export function isCheckpointed(op: unknown): op is Checkpointed {
  return typeof (op as Partial<Checkpointed>).snapshotCheckpoint === 'function';
}
