// Stop, and for a run that checkpoints, Stop with savepoint (Flink's stop-with-savepoint): open
// windows, partial matches and timers are saved, so the next run carries on where this one stopped
// instead of dropping them.
import { useEditor, useEditorStore } from './store-context.js';

export function StopButtons() {
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
