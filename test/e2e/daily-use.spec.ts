// The editor for daily use: run problems (failed records per node, the error that ended a run,
// banners that go when the cause is fixed or the next run starts), field warnings with an
// underline in Monaco, templates that play live and open without being an edit, window timing.
import { expect, state, test, typeInMonaco } from './fixtures.js';

async function openTemplate(page: import('@playwright/test').Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator(`.file-list button[data-path="${name}"]`).click();
  await expect(page.locator('.modal')).toHaveCount(0);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

test('run problems: a failing keyBy names its node, record and message; the banner clears on a fix and a good run', async ({ page, studio }) => {
  await openTemplate(page, 'clickstream-demo.json');
  // Opening a template is not an edit.
  await expect(page.getByTestId('dirty')).toHaveCount(0);
  await page.locator('.react-flow__node[data-id="byUser"]').click();
  await typeInMonaco(page, 'code-byUser/key', 'customer.id');
  await expect.poll(() => state<string>(page, "s => s.doc.nodes.find((n) => n.id === 'byUser').params.key")).toBe('customer.id');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('failed');
  const banner = page.locator('.notice.error');
  await expect(banner).toContainText('byUser');
  // The Run problems panel opens: the node, its failure, and the record it failed on.
  const panel = page.getByTestId('run-problems');
  await expect(panel).toBeVisible();
  const row = panel.locator('li[data-node="byUser"]');
  await expect(row.locator('.rp-failed')).toHaveText('run failed');
  await expect(row.locator('.rp-failure')).not.toBeEmpty();
  await expect(row.locator('.rp-record').first()).toContainText('"userId"');
  // The node card says so plainly.
  await expect(page.getByTestId('failure-byUser')).toContainText('run failed');
  await studio.shot('run-problems');
  // A click selects the node.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await row.locator('.rp-head').click();
  expect(await state<string[]>(page, 's => s.selection.nodes')).toEqual(['byUser']);
  // Fixing the cause clears the banner; the next run starts clean and runs.
  await typeInMonaco(page, 'code-byUser/key', 'userId');
  await expect(banner).toHaveCount(0);
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await expect(page.getByTestId('failure-byUser')).toHaveCount(0);
  await expect(page.locator('.bottom [role=tab]', { hasText: 'Run problems' }).locator('.badge')).toHaveCount(0);
  await studio.shot('fixed-and-running');
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
});

test('records that fail into an errors port show per node with samples while the run goes on', async ({ page, studio }) => {
  await openTemplate(page, 'clickstream-demo.json');
  // Route the map's failures to a sink, then make the map fail on some records.
  await page.evaluate(() => {
    const s = (window as any).tributary.store.getState();
    s.addNode('sink.console', { x: 700, y: 500 });
    s.connect({ source: 'enrich', sourceHandle: 'errors', target: 'consoleSink', targetHandle: 'in' });
    s.setParam('enrich', ['expression'], '{ userId, code: nothere.x }');
  });
  await expect.poll(() => state<number>(page, "s => s.doc.edges.filter((e) => e.fromPort === 'errors').length")).toBe(1);
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  const row = page.getByTestId('run-problems').locator('li[data-node="enrich"]');
  await expect(row.locator('.rp-count')).toContainText('failed record');
  await expect(row.locator('.rp-recent li').first()).toContainText("reading 'x'");
  await expect(page.getByTestId('figures-enrich').locator('[data-fig="errors"]')).toBeVisible();
  await studio.shot('failed-records');
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
});

test('field warnings: a misspelled field is a warning with did-you-mean, underlined in the editor', async ({ page, studio }) => {
  await openTemplate(page, 'clickstream-demo.json');
  await page.locator('.react-flow__node[data-id="purchases"]').click();
  await typeInMonaco(page, 'code-purchases/condition', "evntType == 'PURCHASE'");
  await page.getByRole('tab', { name: /^Problems/ }).click();
  const warning = page.locator('.problems li.warning');
  await expect(warning).toContainText("unknown field 'evntType'");
  await expect(warning).toContainText("did you mean 'eventType'?");
  await expect(page.getByTestId('validity')).toHaveText('valid, 1 warning');
  // Monaco underlines the name as a warning.
  await expect(page.getByTestId('code-purchases/condition').locator('.squiggly-warning')).toHaveCount(1);
  await expect(page.locator('.react-flow__node[data-id="purchases"] .badge.warnings')).toHaveText('1');
  await studio.shot('field-warning');
  // A warning does not stop a run.
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
});

test('templates play live and switching templates asks nothing; windows say when they fire', async ({ page, studio }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openTemplate(page, 'cart-abandonment.json');
  await expect(page.getByTestId('dirty')).toHaveCount(0);
  await openTemplate(page, 'trending-products.json');
  expect(dialogs).toBe(0);
  await expect(page.getByTestId('file')).toContainText('trending-products.json (template)');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  // The bounded file (200,000 events, unthrottled) would be over in a few seconds; live it goes on.
  await page.waitForTimeout(6000);
  await expect(page.getByTestId('run-status')).toHaveText('running');
  const sourceRate = await state<number>(page, "s => s.figures.clicks?.rateOut ?? 0");
  expect(sourceRate).toBeGreaterThan(50);
  expect(sourceRate).toBeLessThan(2000);
  // The window's card: watermark as a date-time with its lag, the next firing, the open windows.
  await page.locator('.react-flow__node[data-id="trending"]').click();
  await expect(page.getByTestId('live-watermark')).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(lag .+ behind the clock\)/);
  await expect(page.getByTestId('live-next-fire')).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  await expect(page.getByTestId('live-open-windows')).toHaveText(/^\d+$/);
  const open = Number(await page.getByTestId('live-open-windows').textContent());
  expect(open).toBeGreaterThan(0);
  await page.evaluate(() => (window as any).tributary.store.getState().select({ nodes: [], edge: null }));
  await studio.shot('template-live');
  // The card, zoomed out, still says when the window fires.
  await expect(page.getByTestId('figures-trending')).toContainText(/fires \d\d:\d\d:\d\d|no window open/);
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
  // Not an edit: the saved form still has the template's bounded count.
  expect(await state<unknown>(page, "s => s.doc.nodes.find((n) => n.id === 'clicks').params.count")).toBe(200000);
  await expect(page.getByTestId('dirty')).toHaveCount(0);
});
