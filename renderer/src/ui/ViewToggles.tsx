// Show or hide the palette, inspector, bottom panel and overview map (the toolbar's right end).
import { type Panes, type PaneToggle, toggle } from '../model/panes.js';

const TOGGLES: readonly [PaneToggle, string][] = [
  ['showPalette', 'Palette'],
  ['showInspector', 'Inspector'],
  ['showBottom', 'Panels'],
  ['showMinimap', 'Map'],
];

export function ViewToggles({ panes, setPanes }: { panes: Panes; setPanes: (p: Panes) => void }) {
  return (
    <span className="view-toggles" role="group" aria-label="Show or hide panes">
      {TOGGLES.map(([k, label]) => (
        <button key={k} type="button" aria-pressed={panes[k]} title={`${panes[k] ? 'Hide' : 'Show'} the ${label.toLowerCase()}`} onClick={() => setPanes(toggle(panes, k))}>
          {label}
        </button>
      ))}
    </span>
  );
}
