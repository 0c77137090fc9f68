// JSON Lines output shared by the file and console sinks.

/** One JSON object a line. A value JSON cannot represent (a cycle, a BigInt) is written as an error line instead of failing the batch. */
export function jsonLines(recs: readonly unknown[]): string {
  let s = '';
  for (let i = 0; i < recs.length; i++) {
    let line: string | undefined;
    try {
      line = JSON.stringify(recs[i]);
    } catch (err) {
      line = JSON.stringify({ unprintable: String(err) });
    }
    s += (line ?? 'null') + '\n';
  }
  return s;
}
