// A drag handle between two panes (also moved with the arrow keys, as WAI-ARIA's window splitter).
import { type KeyboardEvent, type PointerEvent, useRef } from 'react';

export interface SplitterProps {
  readonly label: string;
  readonly orientation: 'vertical' | 'horizontal';
  readonly value: number;
  readonly min: number;
  readonly max: number;
  /** +1: dragging right/down grows the pane; -1: it shrinks it (a pane on the right or bottom). */
  readonly direction: 1 | -1;
  readonly onChange: (size: number) => void;
  readonly className: string;
}

export function Splitter({ label, orientation, value, min, max, direction, onChange, className }: SplitterProps) {
  const start = useRef<{ at: number; size: number } | null>(null);
  const pos = (e: PointerEvent) => (orientation === 'vertical' ? e.clientX : e.clientY);
  const onKey = (e: KeyboardEvent) => {
    const grow = orientation === 'vertical' ? { ArrowRight: 1, ArrowLeft: -1 } : { ArrowDown: 1, ArrowUp: -1 };
    const d = grow[e.key as keyof typeof grow];
    if (d === undefined) return;
    e.preventDefault();
    onChange(value + d * direction * 20);
  };
  return (
    <div
      className={`splitter ${orientation} ${className}`}
      role="separator"
      aria-label={label}
      aria-orientation={orientation}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onKeyDown={onKey}
      onPointerDown={(e) => {
        start.current = { at: pos(e), size: value };
        e.currentTarget.setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        if (start.current) onChange(start.current.size + (pos(e) - start.current.at) * direction);
      }}
      onPointerUp={() => (start.current = null)}
    />
  );
}
