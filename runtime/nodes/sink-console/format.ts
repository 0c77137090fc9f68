// The console sink's table rendering.

const MAX_WIDTH = 40;

function cell(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s;
}

/** Pad to the column; a wider value pushes the row rather than losing digits, up to MAX_WIDTH. */
function fit(s: string, width: number): string {
  return s.length > MAX_WIDTH ? `${s.slice(0, MAX_WIDTH - 1)}…` : s.padEnd(width);
}

/** Aligned columns; the first batch fixes the columns and their widths. */
export class TableFormat {
  private columns: string[] | null = null;
  private widths: number[] = [];

  format(recs: readonly unknown[]): string {
    let s = '';
    if (this.columns === null) {
      const first = recs[0];
      this.columns = first !== null && typeof first === 'object' ? Object.keys(first) : ['value'];
      this.widths = this.columns.map((c) => {
        let w = c.length;
        for (const r of recs) w = Math.max(w, cell(this.value(r, c)).length);
        return Math.min(w, MAX_WIDTH);
      });
      s += `${this.row(this.columns)}\n${this.widths.map((w) => '-'.repeat(w)).join('  ')}\n`;
    }
    for (const r of recs) s += `${this.row(this.columns.map((c) => cell(this.value(r, c))))}\n`;
    return s;
  }

  private value(r: unknown, column: string): unknown {
    if (r !== null && typeof r === 'object') return (r as Record<string, unknown>)[column];
    return column === 'value' ? r : undefined;
  }

  private row(cells: string[]): string {
    return cells.map((c, i) => fit(c, this.widths[i]!)).join('  ').trimEnd();
  }
}
