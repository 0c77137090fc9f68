// "Run on Flink…": the JobManager's REST address (remembered in this browser), the parallelism,
// and before anything is submitted every node that cannot run on Flink, with the reason.
import { useEffect, useMemo, useState } from 'react';
import { flinkProblemsOf } from '../store/flink-slice.js';
import { useEditor, useEditorStore } from './store-context.js';

const URL_KEY = 'tributary.flinkUrl';
export const DEFAULT_FLINK_URL = 'http://127.0.0.1:8081';

function rememberedUrl(): string {
  try {
    return localStorage.getItem(URL_KEY) || DEFAULT_FLINK_URL;
  } catch {
    return DEFAULT_FLINK_URL; // storage refused: the default
  }
}

/** Only http(s) addresses are Flink REST addresses (the host checks again). */
export function urlProblem(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'give an http:// or https:// address';
  } catch {
    return 'not a URL: give the JobManager\'s REST address, e.g. http://127.0.0.1:8081';
  }
}

export function FlinkDialog() {
  const open = useEditor((s) => s.flinkDialog);
  const store = useEditorStore();
  const doc = useEditor((s) => s.doc);
  const submitting = useEditor((s) => s.flinkSubmitting);
  const refused = useEditor((s) => s.flinkRefused);
  const [url, setUrl] = useState(rememberedUrl);
  const [parallelism, setParallelism] = useState('');
  const problems = useMemo(() => (open ? flinkProblemsOf(doc) : []), [open, doc]);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && store.getState().closeFlinkDialog();
    if (open) window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [open, store]);
  if (!open) return null;
  const shown = refused.length > 0 ? refused : (problems ?? []);
  const badUrl = urlProblem(url.trim());
  const p = parallelism.trim() === '' ? undefined : Number(parallelism);
  const badParallelism = p !== undefined && (!Number.isInteger(p) || p < 1);
  const submit = () => {
    try {
      localStorage.setItem(URL_KEY, url.trim());
    } catch {
      /* not remembered: still submitted */
    }
    void store.getState().runOnFlink(url.trim(), p);
  };
  return (
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && store.getState().closeFlinkDialog()}>
      <div className="modal flink-dialog" role="dialog" aria-label="Run on Flink" aria-modal="true">
        <h2>Run on Flink</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label className="field-label" htmlFor="flink-url">
            JobManager REST address (Flink&apos;s web UI)
          </label>
          <input id="flink-url" name="flink-url" value={url} onChange={(e) => setUrl(e.target.value)} autoFocus spellCheck={false} />
          {badUrl && <p className="field-problems">{badUrl}</p>}
          <label className="field-label" htmlFor="flink-parallelism">
            parallelism (empty: the pipeline&apos;s)
          </label>
          <input id="flink-parallelism" name="flink-parallelism" value={parallelism} onChange={(e) => setParallelism(e.target.value)} inputMode="numeric" />
          {badParallelism && <p className="field-problems">a whole number, 1 or more</p>}
          {problems === null && <p className="field-problems">The pipeline has problems (see Problems): fix them first.</p>}
          {shown.length > 0 && (
            <div className="field-problems" data-testid="flink-problems">
              <p>These nodes cannot run on Flink:</p>
              <ul>
                {shown.map((x) => (
                  <li key={x.nodeId}>
                    <b>{x.nodeId}</b>: {x.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <p className="hint">The job jar is built on this machine (the first time takes a minute or more), uploaded to the cluster and submitted there.</p>
          <div className="buttons">
            <button type="submit" className="primary" disabled={submitting || badUrl !== null || badParallelism || problems === null || shown.length > 0}>
              {submitting ? 'Submitting…' : 'Submit to Flink'}
            </button>
            <button type="button" onClick={() => store.getState().closeFlinkDialog()}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** The status bar's part: the Flink job's own state and a link to its page in Flink's web UI. */
export function FlinkStatus() {
  const job = useEditor((s) => s.flinkJob);
  const submitting = useEditor((s) => s.flinkSubmitting);
  if (submitting) return <span data-testid="flink-state">Flink: building and submitting the job…</span>;
  if (!job) return null;
  return (
    <>
      <span data-testid="flink-state" title={`job ${job.jobId} on ${job.cluster}`}>
        Flink job {job.state}
      </span>
      <a data-testid="flink-web-ui" href={job.webUi} target="_blank" rel="noopener noreferrer" title={job.webUi}>
        Flink web UI ↗
      </a>
    </>
  );
}
