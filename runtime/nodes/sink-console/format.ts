// The console sink's table rendering.
import { type Unwritable, unwritableReason } from '../../connectors/json-lines.js';

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

function columnsOf(first: unknown): string[] {
  return first !== null && typeof first === 'object' ? Object.keys(first) : ['value'];
}

/** Aligned columns; the first batch fixes the columns and their widths. */
export class TableFormat {
  private columns: string[] | null = null;
  private widths: number[] = [];

  /** Rows for the records; one whose cells cannot be written goes to `failed`, not to the table. */
  format(recs: readonly unknown[], failed: Unwritable[]): string {
    const ok: unknown[] = [];
    for (let i = 0; i < recs.length; i++) {
      try {
        this.cells(recs[i], this.columns ?? columnsOf(recs[i]));
        ok.push(recs[i]);
      } catch (err) {
        failed.push({ index: i, error: unwritableReason(err) });
      }
    }
    if (ok.length === 0) return '';
    let s = '';
    if (this.columns === null) {
      const columns = columnsOf(ok[0]);
      this.columns = columns;
      this.widths = columns.map((c) => {
        let w = c.length;
        for (const r of ok) w = Math.max(w, cell(this.value(r, c)).length);
        return Math.min(w, MAX_WIDTH);
      });
      s += `${this.row(columns)}\n${this.widths.map((w) => '-'.repeat(w)).join('  ')}\n`;
    }
    for (const r of ok) s += `${this.row(this.cells(r, this.columns))}\n`;
    return s;
  }

  private cells(r: unknown, columns: readonly string[]): string[] {
    return columns.map((c) => cell(this.value(r, c)));
  }

  private value(r: unknown, column: string): unknown {
    if (r !== null && typeof r === 'object') return (r as Record<string, unknown>)[column];
    return column === 'value' ? r : undefined;
  }

  private row(cells: string[]): string {
    return cells.map((c, i) => fit(c, this.widths[i]!)).join('  ').trimEnd();
  }
}
