// Stop, and for a run that checkpoints, Stop with savepoint (Flink's stop-with-savepoint): open
// windows, partial matches and timers are saved, so the next run carries on where this one stopped
// instead of dropping them.
import { flinkJobLive } from '../store/flink-slice.js';
import { useEditor, useEditorStore } from './store-context.js';

export function StopButtons() {
  const flink = useEditor((s) => flinkJobLive(s.flinkJob));
  const saving = useEditor((s) => s.savingPoint);
  if (flink) return <FlinkStopButtons saving={saving} />;
  return <EmbeddedStopButtons />;
}

/** A job on Flink: cancel it, or stop it with a savepoint (into the cluster's state.savepoints.dir). */
function FlinkStopButtons({ saving }: { saving: boolean }) {
  const store = useEditorStore();
  return (
    <>
      <button type="button" className="stop" title="Cancel the Flink job (Ctrl+Enter)" disabled={saving} onClick={() => void store.getState().stopFlink(false)}>
        ■ Cancel job
      </button>
      <button
        type="button"
        className="stop"
        title="Flink's stop-with-savepoint: the job's state is saved on the cluster (its state.savepoints.dir), then the job stops"
        disabled={saving}
        onClick={() => void store.getState().stopFlink(true)}
      >
        {saving ? 'Saving…' : '■ Stop with savepoint'}
      </button>
    </>
  );
}

function EmbeddedStopButtons() {
  const store = useEditorStore();
  const checkpoints = useEditor((s) => s.runCheckpointing !== null);
  const saving = useEditor((s) => s.savingPoint);
  return (
    <>
      <button type="button" className="stop" title="Stop (Ctrl+Enter)" disabled={saving} onClick={() => void store.getState().stop()}>
        ■ Stop
      </button>
      {checkpoints && (
        <button
          type="button"
          className="stop"
          title="Save the whole state (open windows, partial matches, timers) as a savepoint, then stop: the next run resumes from it"
          disabled={saving}
          onClick={() => void store.getState().stopWithSavepoint()}
        >
          {saving ? 'Saving…' : '■ Stop with savepoint'}
        </button>
      )}
    </>
  );
}
