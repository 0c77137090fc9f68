// The selected node while it runs: the figures its card shows, in full (watermark as a date-time
// with its lag behind the clock; for windows the next firing and the open windows), the run
// problems of this node, and for Kafka and file sources the fields sampled from their records,
// which "Remember fields" writes into the node's `fields` param so field checks can use them.
import { edgeId } from '../model/doc.js';
import { keyedInput, stateText } from '../model/keyed.js';
import { bytes, clockTime, count, lag, rate, watermarkTime } from './format.js';
import { useEditor, useEditorStore, useLiveEditor, useRegistry } from './store-context.js';

const SAMPLED_SOURCES = new Set(['source.kafka', 'source.file']);

export function NodeLive({ nodeId, type }: { nodeId: string; type: string }) {
  const fig = useLiveEditor((s) => s.figures[nodeId]);
  const problems = useEditor((s) => s.runProblems[nodeId]);
  const registry = useRegistry();
  const keyed = useEditor((s) => keyedInput(s.doc, registry, nodeId));
  if (!fig && !problems && !SAMPLED_SOURCES.has(type)) return null;
  const w = fig?.window;
  return (
    <section className="node-live" aria-label="Live figures" data-testid="node-live">
      {fig && (
        <dl>
          <dt>records</dt>
          <dd>
            in {count(fig.recordsIn)} ({rate(fig.rateIn)}/s) · out {count(fig.recordsOut)} ({rate(fig.rateOut)}/s)
          </dd>
          <dt>watermark</dt>
          <dd data-testid="live-watermark">
            {watermarkTime(fig.watermark)}
            {typeof fig.watermark === 'number' && ` (lag ${lag(Date.now() - fig.watermark)} behind the clock)`}
          </dd>
          {fig.flink && (
            <>
              <dt>Flink task</dt>
              <dd data-testid="live-flink-vertex">
                {fig.flink.vertexName} (×{fig.flink.parallelism}
                {fig.flink.chain.length > 1 ? `; chained with ${fig.flink.chain.filter((id) => id !== nodeId).join(', ')}` : ''})
              </dd>
              <dt>per chain</dt>
              <dd>
                busy {fig.flink.busy === null ? '–' : `${Math.round(fig.flink.busy / 10)}%`} · back-pressured {fig.flink.backPressured === null ? '–' : `${Math.round(fig.flink.backPressured / 10)}%`}
                {fig.flink.watermarkOfChain && ' · watermark: the chain\'s input'}
              </dd>
            </>
          )}
          {w && (
            <>
              <dt>next firing</dt>
              <dd data-testid="live-next-fire">
                {w.nextFire === null ? 'no window open' : `${watermarkTime(w.nextFire)} (${w.processingTime ? 'wall clock' : 'when the watermark reaches it'})`}
              </dd>
              <dt>open windows</dt>
              <dd data-testid="live-open-windows">{count(w.openWindows)}</dd>
            </>
          )}
          {fig.stateKeys > 0 && (
            <>
              <dt>state</dt>
              <dd>
                {stateText(keyed, count(fig.stateKeys))} · {bytes(fig.stateBytes)}
              </dd>
            </>
          )}
          {fig.partialMatches !== undefined && (
            <>
              <dt>partial matches</dt>
              <dd>{count(fig.partialMatches)}</dd>
            </>
          )}
          {(fig.errors > 0 || fig.late > 0) && (
            <>
              <dt>failed · late</dt>
              <dd>
                {count(fig.errors)} · {count(fig.late)}
              </dd>
            </>
          )}
        </dl>
      )}
      {problems && problems.recent.length > 0 && (
        <div className="node-live-errors">
          <b>Latest failures</b>
          <ul>
            {problems.recent.slice(0, 3).map((e, i) => (
              <li key={i}>
                {clockTime(e.at)} {e.message} <code>{e.record}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {SAMPLED_SOURCES.has(type) && <RememberFields nodeId={nodeId} />}
    </section>
  );
}

/** Kafka and file sources: keep the field names seen on the running source's output. */
function RememberFields({ nodeId }: { nodeId: string }) {
  const store = useEditorStore();
  const seen = useEditor((s) => {
    const names = new Set<string>();
    for (const e of s.doc.edges) if (e.from === nodeId && (e.fromPort ?? 'out') === 'out') for (const f of s.sampled[edgeId(e)] ?? []) names.add(f);
    return [...names].sort().join(',');
  });
  const declared = useEditor((s) => {
    const f = s.doc.nodes.find((n) => n.id === nodeId)?.params?.fields;
    return Array.isArray(f) ? f.join(',') : null;
  });
  const names = seen === '' ? [] : seen.split(',');
  return (
    <div className="remember-fields">
      <b>Fields</b>{' '}
      {declared !== null ? <span>declared: {declared.split(',').join(', ')}</span> : <span className="hint">not declared: references downstream are not checked.</span>}
      {names.length > 0 ? (
        <div>
          <span className="hint">seen while running: {names.join(', ')}</span>{' '}
          <button type="button" onClick={() => store.getState().setParam(nodeId, ['fields'], names)} disabled={declared === seen}>
            Remember fields
          </button>
        </div>
      ) : (
        <div className="hint">Run the pipeline to sample its records' fields.</div>
      )}
    </div>
  );
}
