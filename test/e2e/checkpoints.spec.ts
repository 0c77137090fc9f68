// Checkpoints as the user sees them: the status bar's last checkpoint (age, size, duration) and a
// failure, Stop with savepoint, and the offer to resume when the pipeline is opened again.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, state, test } from './fixtures.js';

/** axe over the new parts only (the whole canvas is slow to check): no serious or critical violations, WCAG AA contrast among them. */
async function axe(page: Page, what: string, ...selectors: string[]): Promise<void> {
  let b = new AxeBuilder({ page });
  for (const s of selectors) b = b.include(s);
  const r = await b.analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
}

const doc = {
  format: 'tributary.pipeline/v1',
  name: 'counts',
  settings: { checkpoint: { interval: '1s' } },
  nodes: [
    { id: 'clicks', type: 'source.generator', position: { x: 0, y: 0 }, params: { rate: 1000, seed: 3, users: 1000000 } },
    { id: 'byUser', type: 'keyBy', position: { x: 300, y: 0 }, params: { key: 'userId' } },
    { id: 'win', type: 'window', position: { x: 600, y: 0 }, params: { assigner: { kind: 'tumbling', size: '1h' }, aggregates: { n: { fn: 'count' } } } },
    { id: 'out', type: 'sink.file', position: { x: 900, y: 0 }, params: { path: 'out/counts.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'byUser' },
    { from: 'byUser', to: 'win' },
    { from: 'win', to: 'out' },
  ],
};

/** Make the checkpoint folder a file, so the next checkpoint cannot be written (moved aside: one may be writing now). */
function breakFolder(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      renameSync(dir, `${dir}.${i}.gone`);
    } catch {
      /* made again by a checkpoint just now, or gone */
    }
    try {
      writeFileSync(dir, 'not a folder', { flag: 'wx' });
      return;
    } catch (err) {
      if (i > 20) throw err;
    }
  }
}

test('status bar shows the last checkpoint and a failure; Stop with savepoint; opening it again offers to resume, and Resume carries on', async ({ page, studio, workspace }) => {
  test.setTimeout(240_000); // checkpoints, a savepoint and axe on a loaded machine
  writeFileSync(join(workspace, 'counts.json'), `${JSON.stringify(doc, null, 2)}\n`);
  const open = async () => {
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('.file-list button[data-path="counts.json"]').click();
    await expect(page.locator('.react-flow__node')).toHaveCount(4);
  };
  const offer = page.getByRole('region', { name: 'Resume from a checkpoint' });
  await open();
  await expect(page.getByTestId('file')).toHaveText('counts.json');
  await expect(offer).toHaveCount(0);

  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  const status = page.getByTestId('checkpoint-status');
  await expect(status).toHaveText(/^checkpoint \d+ · \d+ s ago · [\d.]+ (B|KiB|MiB) · took [\d.]+ (ms|s)$/, { timeout: 30_000 });
  await studio.shot('status-bar-checkpoint');

  // A checkpoint that cannot be written: the status bar says so, the run goes on.
  const dir = join(workspace, '.tributary', 'checkpoints', 'counts');
  breakFolder(dir);
  const failure = page.getByTestId('checkpoint-failure');
  await expect(failure).toContainText(/checkpoint failed \(\d+\): .*(EEXIST|ENOTDIR|not a directory|already exists)/i, { timeout: 30_000 });
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await studio.shot('status-bar-failure');
  await axe(page, 'running with a checkpoint failure', '.status', '.toolbar');
  // Fixed: the next checkpoint completes and the failure goes.
  rmSync(dir, { force: true });
  await expect(failure).toHaveCount(0, { timeout: 30_000 });

  const keysBefore = await state<number>(page, '(s) => s.figures.win.stateKeys');
  expect(keysBefore).toBeGreaterThan(0);
  await page.getByRole('button', { name: '■ Stop with savepoint' }).click();
  await expect(page.locator('.notice')).toContainText(/savepoint saved: \.tributary\/checkpoints\/counts\/savepoint-\d+\.ckpt/);
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
  await expect(status).toHaveText(/^savepoint \d+ · /);
  await studio.shot('stopped-with-savepoint');

  // Opening the pipeline again offers the savepoint; Resume runs from it and says so.
  await open();
  await expect(offer).toBeVisible();
  await expect(offer).toContainText(/This pipeline has a savepoint \(savepoint \d+, \d+ s ago, [\d.]+ (KiB|MiB)\)/);
  await studio.shot('resume-offer');
  await axe(page, 'resume offer', '.resume-offer');
  // Reached from the keyboard: each of its buttons takes focus.
  for (const name of ['Resume', 'Start over', 'Not now']) {
    await offer.getByRole('button', { name, exact: true }).focus();
    await expect(offer.getByRole('button', { name, exact: true })).toBeFocused();
  }
  await offer.getByRole('button', { name: 'Resume' }).click();
  await expect(offer).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await expect(page.getByTestId('checkpoint-resumed')).toHaveText(/^resumed from savepoint \d+$/);
  await expect.poll(() => state<number>(page, '(s) => s.figures.win?.stateKeys ?? 0')).toBeGreaterThanOrEqual(keysBefore);
  await studio.shot('resumed');
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped');

  // Start over ignores the checkpoints: nothing is said about resuming.
  await open();
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: 'Start over' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await expect(page.getByTestId('checkpoint-status')).toBeVisible();
  await expect(page.getByTestId('checkpoint-resumed')).toHaveCount(0);
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
});
