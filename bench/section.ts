// One section of `npm run bench`: a group of scenarios and the table that reports them. Each
// scenario runs in its own child process (so its peak RSS is its own); the parent prints the table.

/** What a scenario returns; sections add figures of their own. */
export interface ScenarioResult {
  scenario: string;
  records: number;
  seconds: number;
}

/** A scenario's figures as the parent sees them, with the child's peak RSS. */
export interface Measured extends ScenarioResult {
  peakRssMiB: number;
  [figure: string]: unknown;
}

export interface BenchSection {
  /** `npm run bench -- <name>` runs only this section. */
  readonly name: string;
  /** In the child process: run one scenario of this section and return its figures. */
  run(scenario: string, records: number): Promise<ScenarioResult>;
  /** In the parent: run scenarios through `child` and print the section's table. */
  report(child: (scenario: string) => Measured, records: number, out: (line: string) => void): void | Promise<void>;
}

export function fmtRate(n: number): string {
  return `${(n / 1e6).toFixed(2)}M/s`;
}

export function table(rows: string[][], out: (line: string) => void): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}
