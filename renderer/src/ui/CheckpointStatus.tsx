// The status bar's checkpoint figures: the last checkpoint (how long ago, its size, how long it
// took) and the latest failure, for a run that checkpoints; what the run resumed from.
import { useEffect, useState } from 'react';
import { ago } from '../store/checkpoint-slice.js';
import { bytes, lag } from './format.js';
import { useEditor } from './store-context.js';

/** Re-render once a second so "12 s ago" keeps counting between figures. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

export function CheckpointStatus() {
  const f = useEditor((s) => s.checkpointFigures);
  const setup = useEditor((s) => s.runCheckpointing);
  const saving = useEditor((s) => s.savingPoint);
  const now = useNow(f !== null);
  if (!setup && !f) return null;
  const from = setup?.resumedFrom;
  const last =
    f && f.lastAt !== null
      ? `${f.lastKind === 'savepoint' ? 'savepoint' : 'checkpoint'} ${f.lastId} · ${ago(now - f.lastAt)} · ${bytes(f.lastSize ?? 0)} · took ${lag(f.lastDuration ?? 0)}`
      : setup?.interval
        ? `first checkpoint in ≤ ${lag(setup.interval)}`
        : 'savepoints only';
  const title = [
    f ? `${f.completed} completed, ${f.failed} failed in this run` : null,
    f?.lastStall != null ? `sources held ${lag(f.lastStall)} for the last one` : null,
    setup?.interval ? `a checkpoint every ${lag(setup.interval)}` : null,
    from ? `resumed from ${from.path}` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <>
      {from && (
        <span data-testid="checkpoint-resumed" title={from.path}>
          resumed from {from.kind} {from.id}
        </span>
      )}
      <span data-testid="checkpoint-status" title={title}>
        {saving ? 'taking a savepoint…' : last}
        {f && f.failed > 0 && !f.lastFailure && ` · ${f.failed} failed`}
      </span>
      {f?.lastFailure && (
        <span className="problems checkpoint-failure" data-testid="checkpoint-failure" title={f.lastFailure}>
          checkpoint failed ({f.failed}): {f.lastFailure}
        </span>
      )}
    </>
  );
}
