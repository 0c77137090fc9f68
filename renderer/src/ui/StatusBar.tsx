// The status bar: run state, total throughput, uptime, problems, and the file with its
// unsaved-changes marker.
import { CheckpointStatus } from './CheckpointStatus.js';
import { FlinkStatus } from './FlinkDialog.js';
import { rate, uptime } from './format.js';
import { useEditor } from './store-context.js';

export function StatusBar({ connected }: { connected: boolean }) {
  const status = useEditor((s) => s.runStatus);
  const throughput = useEditor((s) => s.throughput);
  const up = useEditor((s) => s.uptimeMs);
  const problems = useEditor((s) => s.problems.filter((p) => p.severity !== 'warning').length);
  const warnings = useEditor((s) => s.problems.length) - problems;
  const origin = useEditor((s) => s.origin);
  const dirty = useEditor((s) => s.dirty);
  const file = origin.kind === 'file' ? origin.path : origin.kind === 'template' ? `${origin.name} (template)` : 'untitled';
  return (
    <footer className="status" aria-label="Status">
      <span className={`run-status ${status}`} data-testid="run-status">
        {status}
      </span>
      <span data-testid="throughput">{rate(throughput)} rec/s</span>
      <span data-testid="uptime">{uptime(up)}</span>
      <span className={problems > 0 ? 'problems' : ''} data-testid="validity">
        {problems === 0 ? 'valid' : `${problems} problem${problems === 1 ? '' : 's'}`}
        {warnings > 0 && `, ${warnings} warning${warnings === 1 ? '' : 's'}`}
      </span>
      <CheckpointStatus />
      <FlinkStatus />
      <span className="spacer" />
      {!connected && <span className="problems">not connected to the runtime host</span>}
      <span data-testid="file">
        {file}
        {dirty && (
          <span className="dirty" title="unsaved changes" data-testid="dirty">
            {' '}
            ●
          </span>
        )}
      </span>
    </footer>
  );
}
