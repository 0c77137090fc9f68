// A tiny line of a node's recent records/s: SVG, no chart library needed for one polyline.
import { memo } from 'react';

export const Sparkline = memo(function Sparkline({ values, width = 120, height = 22 }: { values: readonly number[]; width?: number; height?: number }) {
  if (values.length < 2) return <svg className="spark" width={width} height={height} aria-hidden />;
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg className="spark" width={width} height={height} aria-label="records per second, last seconds">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
});
