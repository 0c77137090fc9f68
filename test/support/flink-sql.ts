// Running an exported Flink SQL script on real Flink: the small runner in flink/sql-runner (a
// streaming TableEnvironment in one JVM), compiled once against the jars its pom resolves.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADD_OPENS, CACHE, flinkClasspath, moduleDir } from '../../runtime/cli/flink-build.js';

export function sqlRunnerClasspath(): string {
  const mod = join(moduleDir(), 'sql-runner');
  const cp = flinkClasspath(mod);
  const src = join(mod, 'src', 'main', 'java', 'dev', 'tributary', 'flinksql', 'SqlRunner.java');
  const dir = join(CACHE, `sql-runner-${createHash('sha256').update(readFileSync(src)).update(cp).digest('hex').slice(0, 12)}`);
  if (!existsSync(dir)) {
    mkdirSync(CACHE, { recursive: true });
    const fresh = mkdtempSync(join(CACHE, 'sql-runner-building-'));
    try {
      execFileSync('javac', ['-nowarn', '--release', '17', '-encoding', 'UTF-8', '-cp', cp, '-d', join(fresh, 'classes'), src], { stdio: ['ignore', 'ignore', 'inherit'] });
      try {
        renameSync(join(fresh, 'classes'), dir);
      } catch {
        // Another build put it there first.
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  return `${dir}:${cp}`;
}

/** Run a script to the end of its bounded inputs; throws with Flink's error. */
export function runSql(script: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-sql-'));
  const file = join(dir, 'pipeline.sql');
  writeFileSync(file, script);
  // KEEP_SQL=file keeps the script for running it by hand.
  if (process.env.KEEP_SQL) writeFileSync(process.env.KEEP_SQL, script);
  const r = spawnSync('java', [...ADD_OPENS, '-cp', sqlRunnerClasspath(), 'dev.tributary.flinksql.SqlRunner', file], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) {
    const lines = r.stderr.split('\n').filter((l) => /Exception|Caused by/.test(l));
    throw new Error(`Flink SQL failed: ${lines.slice(0, 6).join('\n') || r.stderr.slice(-3000)}`);
  }
}
