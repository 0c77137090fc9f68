/// <reference lib="dom" />
// Opening files: a broken pipeline shows every problem and leads to it; templates open from the
// gallery; a JSON file dropped on the window opens; editing by keyboard and clipboard.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, state, test } from './fixtures.js';

const broken = {
  format: 'tributary.pipeline/v1',
  name: 'broken',
  nodes: [
    { id: 'clicks', type: 'source.generator', position: { x: 0, y: 0 }, params: { rate: 'fast' } },
    { id: 'carts', type: 'filter', position: { x: 260, y: 0 }, params: { condition: "eventType == 'ADD_TO_CART' &&" } },
    { id: 'counts', type: 'window', position: { x: 520, y: 0 }, params: { assigner: { kind: 'tumbling', size: '5 minutes' }, aggregates: { n: { fn: 'count' } } } },
    { id: 'oops', type: 'sink.fiel', position: { x: 780, y: 0 } },
  ],
  edges: [
    { from: 'clicks', to: 'carts' },
    { from: 'carts', to: 'counts' },
    { from: 'counts', to: 'nowhere' },
  ],
};

test('a broken pipeline lists its problems; clicking one opens the node at the field; Run refuses it', async ({ page, studio, workspace }) => {
  writeFileSync(join(workspace, 'broken.json'), `${JSON.stringify(broken, null, 2)}\n`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('.file-list button[data-path="broken.json"]').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(4);
  const problems = page.locator('ul.problems li');
  // Every problem at once, each with its node and JSON path (the validator's own messages).
  await expect(problems).toHaveCount(7);
  await expect(page.locator('ul.problems')).toContainText('$.nodes[0].params.rate');
  await expect(page.locator('ul.problems')).toContainText('expected number, received string');
  await expect(page.locator('ul.problems')).toContainText("unknown node type 'sink.fiel'; did you mean 'sink.file'?");
  await expect(page.locator('ul.problems')).toContainText("edge to unknown node 'nowhere'");
  await expect(page.locator('ul.problems')).toContainText('invalid duration "5 minutes"');
  await studio.shot('problems');

  // Click the window's problem: the inspector shows that node with the message at the field.
  await problems.filter({ hasText: 'invalid duration' }).locator('button').click();
  await expect(page.locator('.node-inspector')).toHaveAttribute('data-node', 'counts');
  const size = page.locator('[data-param="assigner.size"]');
  await expect(size.locator('.field-problems')).toContainText('invalid duration');
  await expect(size.locator('input')).toBeFocused();
  await studio.shot('problem-revealed');
  // Fix it through the form: the problem goes.
  await size.locator('input').fill('5m');
  await expect(problems.filter({ hasText: 'invalid duration' })).toHaveCount(0);

  await problems.filter({ hasText: 'Unexpected token' }).locator('button').click();
  await expect(page.locator('.node-inspector')).toHaveAttribute('data-node', 'carts');
  await expect(page.getByTestId('code-carts/condition').locator('.squiggly-error')).toHaveCount(1);

  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.locator('.notice.error')).toContainText('cannot run');
  await expect(page.getByTestId('run-status')).toHaveText('idle');
  await studio.shot('run-refused');

  // A file from this computer that is not JSON is refused with a message; the open document stays.
  await page.getByRole('button', { name: 'Open' }).click();
  page.once('dialog', (d) => void d.accept()); // discard the fix made above
  await page.locator('input[type="file"]').setInputFiles({ name: 'not-json.json', mimeType: 'application/json', buffer: Buffer.from('{ "format": ') });
  await expect(page.locator('.notice.error')).toContainText('not valid JSON');
  await expect(page.locator('.react-flow__node')).toHaveCount(4);
});

test('templates, dropping a file on the window, keyboard and clipboard editing', async ({ page, studio }) => {
  // Template gallery: the project's example pipelines.
  await page.getByRole('button', { name: 'Templates' }).click();
  await expect(page.locator('.file-list')).toContainText('trending-products');
  await studio.shot('templates');
  await page.locator('.file-list button[data-path="trending-products.json"]').click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  const count = await page.locator('.react-flow__node').count();
  expect(count).toBeGreaterThan(2);
  await expect(page.getByTestId('file')).toContainText('trending-products.json (template)');
  // The window node's form: the assigner kind switch and the aggregates list come from its spec.
  await page.locator('.react-flow__node[data-id="trending"]').click();
  await expect(page.locator('select[name="assigner.kind"]')).toHaveValue(/\d/);
  await expect(page.locator('[data-param="aggregates"] .entry')).not.toHaveCount(0);
  await studio.shot('window-form');

  // Keyboard: copy/paste, delete, undo, redo, select all.
  await page.locator('.react-flow__node[data-id="trending"]').click();
  await page.keyboard.press('ControlOrMeta+C');
  await page.keyboard.press('ControlOrMeta+V');
  await expect(page.locator('.react-flow__node')).toHaveCount(count + 1);
  await page.keyboard.press('Delete');
  await expect(page.locator('.react-flow__node')).toHaveCount(count);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(page.locator('.react-flow__node')).toHaveCount(count + 1);
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect(page.locator('.react-flow__node')).toHaveCount(count);
  await page.keyboard.press('Shift+L');
  await page.keyboard.press('ControlOrMeta+A');
  expect(await state<number>(page, 's => s.selection.nodes.length')).toBe(count);
  await studio.shot('laid-out');

  // Drop a pipeline file from the desktop onto the window.
  const text = JSON.stringify({ format: 'tributary.pipeline/v1', name: 'dropped', nodes: [{ id: 'only', type: 'source.generator', params: {} }] });
  page.once('dialog', (d) => void d.accept()); // discard the edited template
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dropped.json', { type: 'application/json' }));
    document.querySelector('.canvas')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await expect(page.locator('.react-flow__node')).toHaveCount(1);
  await expect(page.locator('.react-flow__node[data-id="only"]')).toBeVisible();
  await studio.shot('dropped-file');
});

test('a pipeline with code runs only after the user trusts it; its console output shows', async ({ page, studio, workspace }) => {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'with-code',
    nodes: [
      { id: 'clicks', type: 'source.generator', position: { x: 0, y: 0 }, params: { rate: 0, count: 300, seed: 3 } },
      { id: 'buys', type: 'filter', position: { x: 260, y: 0 }, params: { code: "return event.eventType === 'VIEW';" } },
      { id: 'print', type: 'sink.console', position: { x: 520, y: 0 }, params: {} },
    ],
    edges: [
      { from: 'clicks', to: 'buys' },
      { from: 'buys', to: 'print' },
    ],
  };
  writeFileSync(join(workspace, 'with-code.json'), `${JSON.stringify(doc, null, 2)}\n`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('.file-list button[data-path="with-code.json"]').click();
  await page.getByRole('button', { name: '▶ Run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trust this pipeline?' });
  await expect(dialog).toContainText('buys');
  await studio.shot('trust-prompt');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('idle');

  await page.getByRole('button', { name: '▶ Run' }).click();
  await dialog.getByRole('button', { name: 'Trust and run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished');
  await expect(page.getByTestId('figures-clicks').locator('[data-fig="total"]')).toHaveText('300');
  await page.getByRole('tab', { name: /Console/ }).click();
  await expect(page.locator('pre.console')).toContainText('"eventType":"VIEW"');
  await studio.shot('trusted-run');
});

test('a pipeline reading an environment variable set here asks first, naming the variable', async ({ page, studio, workspace }) => {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'with-env',
    nodes: [
      { id: 'clicks', type: 'source.generator', position: { x: 0, y: 0 }, params: { count: 3 } },
      { id: 'hook', type: 'sink.http', position: { x: 260, y: 0 }, params: { url: 'http://127.0.0.1:9/?home=${HOME}', retries: 0 } },
    ],
    edges: [{ from: 'clicks', to: 'hook' }],
  };
  writeFileSync(join(workspace, 'with-env.json'), `${JSON.stringify(doc, null, 2)}\n`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('.file-list button[data-path="with-env.json"]').click();
  await page.getByRole('button', { name: '▶ Run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trust this pipeline?' });
  await expect(dialog).toContainText("node 'hook' (params.url) reads the environment variable HOME");
  await studio.shot('trust-prompt-env');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('idle');
});
