// Opening a saved pipeline that has checkpoints offers to resume it: Run carries on from the newest
// checkpoint or savepoint (as `tributary run` does), Start over runs it from the beginning.
import { ago } from '../store/checkpoint-slice.js';
import { bytes } from './format.js';
import { useEditor, useEditorStore } from './store-context.js';
import './checkpoints.css';

export function ResumeOffer() {
  const offer = useEditor((s) => s.resumeOffer);
  const store = useEditorStore();
  if (!offer) return null;
  const s = () => store.getState();
  return (
    <div className="resume-offer" role="region" aria-label="Resume from a checkpoint">
      <span>
        This pipeline has a {offer.kind} ({offer.kind} {offer.id}, {ago(Date.now() - offer.at)}, {bytes(offer.bytes)}): resume it with its open windows,
        partial matches and timers, or start over from the beginning?
      </span>
      <button type="button" className="primary" onClick={() => void s().resume()}>
        Resume
      </button>
      <button type="button" onClick={() => void s().startOver()}>
        Start over
      </button>
      <button type="button" title="Decide later: Run resumes" onClick={() => s().dismissResume()}>
        Not now
      </button>
    </div>
  );
}
