// Issue 18, point 6: forms show only the params that can apply (count's k/precision; filter's
// condition or code, with a switch), the Window help ends at a whole sentence with the rest under
// More, a window without keyBy counts state entries (not keys), tap rows in event-time order.
import { expect, state, test } from './fixtures.js';

test('forms show only what applies; help text is whole; unkeyed state and tap order read right', async ({ page, studio }) => {
  test.setTimeout(240_000);
  await page.evaluate(() => {
    const s = (window as any).tributary.store.getState();
    s.addNode('source.generator', { x: 0, y: 0 });
    s.addNode('filter', { x: 300, y: 0 });
    s.addNode('window', { x: 600, y: 0 });
    s.addNode('sink.console', { x: 900, y: 0 });
  });
  const ids = await state<string[]>(page, 's => s.doc.nodes.map((n) => n.id)');
  const [gen, filter, win] = ids as [string, string, string, string];
  await page.evaluate(([gen, filter, win, sink]) => {
    const s = (window as any).tributary.store.getState();
    s.connect({ source: gen, sourceHandle: 'out', target: filter, targetHandle: 'in' });
    s.connect({ source: filter, sourceHandle: 'out', target: win, targetHandle: 'in' });
    s.connect({ source: win, sourceHandle: 'out', target: sink, targetHandle: 'in' });
    s.setParams(win, { assigner: { kind: 'tumbling', size: '1s' }, aggregates: { n: { fn: 'count' }, top: { fn: 'topK', field: 'productId' } } });
    s.setParams(gen, { rate: 2000 });
  }, ids);

  // Filter: the condition only, and a switch to code (then the code only).
  await page.locator(`.react-flow__node[data-id="${filter}"]`).click();
  const params = page.locator('.node-inspector .params');
  await expect(params.locator('[data-param="condition"]')).toBeVisible();
  await expect(params.locator('[data-param="code"]')).toHaveCount(0);
  await studio.shot('filter-condition-only');
  await page.getByTestId('switch-form').click();
  await expect(params.locator('[data-param="code"]')).toBeVisible();
  await expect(params.locator('[data-param="condition"]')).toHaveCount(0);
  expect(await state<unknown>(page, `s => s.doc.nodes.find((n) => n.id === '${filter}').params`)).toEqual({ code: 'return true;' });
  await expect(page.getByTestId('switch-form')).toHaveText('Write an expression instead');
  // Back to an expression (code would need trust to run).
  await page.getByTestId('switch-form').click();
  await expect(params.locator('[data-param="code"]')).toHaveCount(0);
  await page.evaluate((f) => (window as any).tributary.store.getState().setParams(f, { condition: 'price > 0' }), filter);

  // Window: count shows no k or precision; topK shows k; help text ends at a sentence, the rest under More.
  await page.locator(`.react-flow__node[data-id="${win}"]`).click();
  const doc = page.locator('.node-inspector .doc');
  await expect(doc.locator('.doc-lead')).not.toContainText('default triggers:');
  await expect(doc.locator('.doc-lead')).toContainText('one global key, null.');
  await expect(doc.locator('.doc-full')).toBeHidden();
  await doc.locator('summary').click();
  await expect(doc.locator('.doc-full')).toContainText('default triggers:');
  await expect(doc.locator('.doc-full')).toContainText('allowedLateness');
  const control = (name: string) => params.getByRole(/\.fn$/.test(name) ? 'combobox' : 'spinbutton', { name, exact: true });
  await expect(control('aggregates.n.fn')).toBeVisible();
  await expect(control('aggregates.n.k')).toHaveCount(0);
  await expect(control('aggregates.n.precision')).toHaveCount(0);
  await expect(control('aggregates.top.k')).toBeVisible();
  await expect(control('aggregates.top.precision')).toHaveCount(0);
  // Choosing approxCountDistinct brings precision (and takes k away).
  await control('aggregates.top.fn').selectOption('approxCountDistinct');
  await expect(control('aggregates.top.precision')).toBeVisible();
  await expect(control('aggregates.top.k')).toHaveCount(0);
  await studio.shot('window-form');

  // Running: the unkeyed window's state counts entries, not keys; tap rows newest event time first.
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  const stateFig = page.locator(`[data-testid="figures-${win}"] [data-fig="state"]`);
  await expect(stateFig).toContainText('entries');
  await expect(stateFig).not.toContainText('keys');
  await page.evaluate((e) => (window as any).tributary.store.getState().openTap(e), `${gen}.out->${filter}.in`);
  await expect(page.getByRole('tab', { name: /^Tap/ })).toHaveAttribute('aria-selected', 'true');
  await expect.poll(() => page.locator('[data-testid="tap"] tbody tr').count()).toBeGreaterThan(10);
  await page.getByRole('button', { name: 'Pause' }).click();
  const times = await state<number[]>(page, 's => s.tap.rows.map((r) => r.ts)');
  const shown = await page.locator('[data-testid="tap"] tbody tr:not(.tap-spacer) td:first-child').allTextContents();
  // The table draws the rows in view (and a few more), from the newest event time down.
  expect(shown.length).toBeGreaterThan(5);
  expect(shown.length).toBeLessThanOrEqual(times.length);
  expect(shown[0]).toBe(new Date(Math.max(...times)).toISOString().slice(11, 23));
  // The table is in event-time order, newest first (the clock text sorts as its times do).
  expect(shown).toEqual([...shown].sort().reverse());
  await studio.shot('tap-time-order');
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
});
