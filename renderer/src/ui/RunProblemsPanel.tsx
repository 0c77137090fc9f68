// Run problems (NiFi's bulletins): per node, the records that failed while running, the latest
// messages with their records, and the error that ended the run. A row selects its node.
import { runProblemRows } from '../model/run-problems.js';
import { clockTime, count } from './format.js';
import { useEditor, useEditorStore } from './store-context.js';

export function RunProblemsPanel() {
  const problems = useEditor((s) => s.runProblems);
  const status = useEditor((s) => s.runStatus);
  const store = useEditorStore();
  const rows = runProblemRows(problems);
  if (rows.length === 0) {
    return <p className="hint ok">{status === 'idle' ? 'Problems while running (failed records, the error that stops a run) show here.' : 'No run problems: no record has failed.'}</p>;
  }
  return (
    <ul className="run-problems" aria-label="Run problems" data-testid="run-problems">
      {rows.map((r) => (
        <li key={r.nodeId || '(pipeline)'} data-node={r.nodeId}>
          <button type="button" className="rp-head" disabled={!r.nodeId} onClick={() => store.getState().reveal(r.nodeId, null)}>
            <span className="p-node">{r.nodeId || 'pipeline'}</span>
            {r.failure && <span className="rp-failed">run failed</span>}
            <span className="rp-count">
              {count(r.errors)} failed record{r.errors === 1 ? '' : 's'}
            </span>
          </button>
          {r.failure && <div className="rp-failure">{r.failure.message}</div>}
          {r.recent.length > 0 && (
            <ol className="rp-recent">
              {r.recent.map((e, i) => (
                <li key={i}>
                  <span className="rp-time">{clockTime(e.at)}</span> <span className="rp-msg">{e.message}</span>
                  <code className="rp-record" title="the record that failed">
                    {e.record}
                  </code>
                </li>
              ))}
            </ol>
          )}
        </li>
      ))}
    </ul>
  );
}
