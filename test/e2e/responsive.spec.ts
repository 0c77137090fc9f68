// Issue 18, point 8: the editor stays responsive with the demo running as fast as it goes and a
// tap open on its busiest edge. Frame times on a shared machine follow its load, so the check is
// on the renderer main thread's CPU time per task (from a trace), which a frame costs on a free
// core: p95 within a 30 fps frame (33 ms) while watching and while dragging a node and panning.
// The tap table draws only the rows in view; scrolled to the end it shows the oldest record.
import { readFileSync, writeFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { join } from 'node:path';
import { dragNode, traced } from '../../bench/editor-section.js';
import { PIPELINES_DIR } from '../support/pipelines.js';
import { expect, state, test } from './fixtures.js';

test('running flat out with a tap open: tasks fit a frame; the tap draws the rows in view', async ({ page, browser, studio, workspace }) => {
  test.setTimeout(600_000);
  const demo = JSON.parse(readFileSync(join(PIPELINES_DIR, 'clickstream-demo.json'), 'utf8')) as { nodes: { id: string; params?: Record<string, unknown> }[] };
  for (const n of demo.nodes) if (n.id === 'clicks') n.params = { ...n.params, rate: 0 };
  writeFileSync(join(workspace, 'flat-out.json'), JSON.stringify(demo, null, 2));
  await page.evaluate(() => (window as any).tributary.store.getState().openFile('flat-out.json'));
  await expect(page.getByTestId('file')).toHaveText('flat-out.json');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await page.evaluate(() => (window as any).tributary.store.getState().openTap('clicks.out->purchases.in'));
  const tap = page.getByTestId('tap');
  const drawn = tap.locator('tbody tr:not(.tap-spacer)');
  await expect.poll(() => state<number>(page, 's => s.tap.rows.length'), { timeout: 30_000 }).toBe(100);
  await expect.poll(() => state<number>(page, 's => s.throughput')).toBeGreaterThan(50_000);

  // A hundred records held, a screenful drawn.
  const n = await drawn.count();
  expect(n).toBeGreaterThan(5);
  expect(n).toBeLessThan(40);
  await studio.shot('tap-flat-out');

  const watch = await traced(browser, page, () => page.waitForTimeout(4000));
  // (The bench also pans and zooms; here one node's drags keep the test short on a busy machine.)
  const drag = await traced(browser, page, () => dragNode(page, 'enrich', 1));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  test.info().annotations.push({ type: 'main thread CPU', description: `watching ${JSON.stringify(watch)}; dragging ${JSON.stringify(drag)}; load ${load}` });
  expect(watch.taskCpuP95).toBeLessThanOrEqual(33);
  expect(drag.taskCpuP95).toBeLessThanOrEqual(33);

  // Paused (so the rows hold still) and scrolled to the end: the oldest record is drawn there.
  await tap.getByRole('button', { name: 'Pause' }).click();
  const times = await state<number[]>(page, 's => s.tap.rows.map((r) => r.ts)');
  await page.locator('.panel-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(drawn.last().locator('td').first()).toHaveText(new Date(Math.min(...times)).toISOString().slice(11, 23));
  expect(await drawn.count()).toBeLessThan(40);
  // Screen readers see only the rows drawn: the table says how many there are and where each is.
  await expect(tap.locator('table')).toHaveAttribute('aria-rowcount', String(times.length + 1));
  await expect(drawn.last()).toHaveAttribute('aria-rowindex', String(times.length + 1));
  // The window's arithmetic assumes one row height (Panels.tsx ROW_PX): every drawn row has it.
  expect(new Set(await drawn.evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().height)))).toEqual(new Set([20]));
  await studio.shot('tap-scrolled-to-oldest');
  // The tap table passes axe's checks (no serious or critical violations).
  const axe = await new AxeBuilder({ page }).include('.bottom').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
});
