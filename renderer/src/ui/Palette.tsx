// The node palette, generated from the registry: grouped by each spec's category, searchable by
// title, type and description; drag an entry onto the canvas (or press Enter on it) to add it.
import { useMemo, useState } from 'react';
import type { NodeCategory, NodeSpec } from '../../../runtime/nodes/spec.js';
import { useEditorStore, useRegistry } from './store-context.js';

export const GROUPS: readonly [NodeCategory, string][] = [
  ['source', 'Sources'],
  ['transform', 'Transform'],
  ['keyed', 'Keyed & time'],
  ['pattern', 'Patterns'],
  ['model', 'Models'],
  ['sink', 'Sinks'],
];

export const NODE_MIME = 'application/x-tributary-node';

export function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const registry = useRegistry();
  const [q, setQ] = useState('');
  const store = useEditorStore();
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const match = (s: NodeSpec) => !needle || `${s.title} ${s.type} ${s.doc}`.toLowerCase().includes(needle);
    return GROUPS.map(([cat, title]) => [title, [...registry.values()].filter((s) => s.category === cat && match(s))] as const).filter(([, specs]) => specs.length > 0);
  }, [registry, q]);
  void store;
  return (
    <nav className="palette" aria-label="Node palette">
      <input className="palette-search" type="search" placeholder="Search nodes…" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search nodes" />
      {groups.map(([title, specs]) => (
        <section key={title}>
          <h3>{title}</h3>
          {specs.map((s) => (
            <div
              key={s.type}
              className={`palette-item cat-${s.category}`}
              draggable
              tabIndex={0}
              role="button"
              data-type={s.type}
              title={s.doc.split('\n')[0]!.replace(/`/g, '')}
              onDragStart={(e) => {
                e.dataTransfer.setData(NODE_MIME, s.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onKeyDown={(e) => e.key === 'Enter' && onAdd(s.type)}
              onDoubleClick={() => onAdd(s.type)}
            >
              <span className="title">{s.title}</span>
              <span className="type">{s.type}</span>
            </div>
          ))}
        </section>
      ))}
      {groups.length === 0 && <p className="hint">No node matches “{q}”.</p>}
    </nav>
  );
}
