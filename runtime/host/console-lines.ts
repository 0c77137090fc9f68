// What `sink.console` prints when the pipeline runs in the editor: lines collected here and sent
// to the UI with the metrics, at most `maxPerFlush` at a time (the newest win; the rest are
// counted), so a chatty sink cannot flood the connection. It never pushes back on the job.
import type { TextOut } from '../engine/factory.js';

export class ConsoleLines implements TextOut {
  private lines: string[] = [];
  private partial = '';
  private dropped = 0;

  constructor(private readonly maxPerFlush = 200) {}

  write(chunk: string): boolean {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.maxPerFlush * 2) this.trim();
    }
    return true;
  }

  once(): unknown {
    return this;
  }

  private trim(): void {
    const extra = this.lines.length - this.maxPerFlush;
    if (extra <= 0) return;
    this.dropped += extra;
    this.lines = this.lines.slice(extra);
  }

  /** Lines since the last call, or null when there are none. */
  take(): { lines: string[]; dropped: number } | null {
    this.trim();
    if (this.lines.length === 0 && this.dropped === 0) return null;
    const out = { lines: this.lines, dropped: this.dropped };
    this.lines = [];
    this.dropped = 0;
    return out;
  }
}
