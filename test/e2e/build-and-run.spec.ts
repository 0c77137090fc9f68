// The clickstream demo, built by hand from an empty canvas: drop, connect, configure through the
// forms and Monaco, run, watch the figures rise, tap an edge, save, reload, get the same JSON.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectPorts, dropNode, expect, state, test, typeInMonaco } from './fixtures.js';
import { PIPELINES_DIR } from '../support/pipelines.js';

test.use({ openFile: 'clickstream.json' });

interface Node {
  id: string;
  type: string;
  label?: string;
  params?: unknown;
}

test('build the clickstream demo from an empty canvas, run it, tap it, save and reload it', async ({ page, studio }) => {
  // A file that does not exist yet opens empty, unsaved until the first save creates it.
  await expect(page.getByTestId('file')).toContainText('clickstream.json');
  await studio.shot('empty-canvas');

  // Drop every node roughly where the demo has it.
  const layout: [string, number, number][] = [
    ['source.generator', 110, 300],
    ['filter', 370, 150],
    ['map', 630, 150],
    ['keyBy', 890, 150],
    ['sink.file', 1150, 150],
    ['filter', 370, 450],
    ['sink.file', 630, 450],
  ];
  for (const [type, x, y] of layout) await dropNode(page, type, { x, y });
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  await studio.shot('nodes-dropped');

  // Configure each node through the inspector: id, label, params.
  const configure = async (id: string, newId: string, label: string) => {
    await page.locator(`.react-flow__node[data-id="${id}"]`).click();
    await page.locator('input[name="node-id"]').fill(newId);
    await page.locator('input[name="node-id"]').press('Enter');
    await expect(page.locator(`.react-flow__node[data-id="${newId}"]`)).toBeVisible();
    await page.locator('input[name="node-label"]').fill(label);
  };
  await configure('generatorSource', 'clicks', 'Shop clickstream');
  await page.locator('input[name="rate"]').fill('2000');
  await page.locator('input[name="seed"]').fill('7');

  await configure('filter', 'highValueCarts', 'High-value cart adds');
  // Completion offers the record's fields, documented by the generator upstream… once connected.
  await connectPorts(page, ['clicks', 'out'], ['highValueCarts', 'in']);
  await typeInMonaco(page, 'code-highValueCarts/condition', 'price >');
  // The validator's error shows inline, in the field and in the Problems panel.
  await expect(page.locator('[data-param="condition"] .field-problems')).toContainText('Unexpected token');
  await expect(page.getByTestId('code-highValueCarts/condition').locator('.squiggly-error')).toHaveCount(1);
  await studio.shot('inline-validator-error');
  await typeInMonaco(page, 'code-highValueCarts/condition', 'eventT');
  const suggest = page.locator('.suggest-widget');
  await expect(suggest).toBeVisible();
  await expect(suggest).toContainText('eventType');
  await studio.shot('field-completion');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText(" == 'ADD_TO_CART' && price * quantity >= 100");
  await expect(page.locator('[data-param="condition"] .field-problems')).toHaveCount(0);

  await configure('map', 'enrich', 'Add cart value');
  await typeInMonaco(page, 'code-enrich/expression', '{ userId, sessionId, productId, category, device, ts, value: round(price * quantity, 2) }');
  await configure('keyBy', 'byUser', 'By user');
  await configure('fileSink', 'cartFile', 'high-value-carts.jsonl');
  await page.locator('input[name="path"]').fill('out/high-value-carts.jsonl');
  await configure('filter2', 'purchases', 'Purchases');
  await typeInMonaco(page, 'code-purchases/condition', "eventType == 'PURCHASE'");
  await configure('fileSink2', 'purchaseFile', 'purchases.jsonl');
  await page.locator('input[name="path"]').fill('out/purchases.jsonl');
  await studio.shot('configured');

  await connectPorts(page, ['highValueCarts', 'out'], ['enrich', 'in']);
  await connectPorts(page, ['enrich', 'out'], ['byUser', 'in']);
  await connectPorts(page, ['byUser', 'out'], ['cartFile', 'in']);
  await connectPorts(page, ['clicks', 'out'], ['purchases', 'in']);
  await connectPorts(page, ['purchases', 'out'], ['purchaseFile', 'in']);
  await expect(page.locator('.react-flow__edge')).toHaveCount(6);
  // A connection the format forbids is refused, with the reason.
  await connectPorts(page, ['purchases', 'out'], ['enrich', 'in']);
  await expect(page.locator('.notice')).toContainText('takes one edge');
  await expect(page.locator('.react-flow__edge')).toHaveCount(6);
  await studio.shot('connected');
  await expect(page.locator('.problems li')).toHaveCount(0);

  // The graph is the shipped demo's (ids, types, labels, params, edges; positions are ours).
  const demo = JSON.parse(readFileSync(join(PIPELINES_DIR, 'clickstream-demo.json'), 'utf8'));
  const mine = JSON.parse(await state<string>(page, 's => s.text()'));
  const strip = (n: Node) => ({ id: n.id, type: n.type, label: n.label, params: n.params });
  const byId = (a: Node, b: Node) => a.id.localeCompare(b.id);
  expect(mine.nodes.map(strip).sort(byId)).toEqual(demo.nodes.map(strip).sort(byId));
  const edgeKey = (e: { from: string; to: string }) => `${e.from}->${e.to}`;
  expect(mine.edges.map(edgeKey).sort()).toEqual(demo.edges.map(edgeKey).sort());

  // Save (Ctrl+S): the unsaved marker goes, the file is the canonical JSON.
  await expect(page.getByTestId('dirty')).toBeVisible();
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByTestId('dirty')).toHaveCount(0);
  const saved = readFileSync(join(studio.dir, 'clickstream.json'), 'utf8');
  expect(saved).toBe(await state<string>(page, 's => s.text()'));

  // Run: live figures appear and rise; the status bar counts.
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  const total = page.getByTestId('figures-clicks').locator('[data-fig="total"]');
  await expect(total).toBeVisible();
  const read = async () => Number((await total.textContent())!.replace(/[^\d]/g, ''));
  const first = await read();
  await expect.poll(read).toBeGreaterThan(first);
  await expect.poll(async () => Number((await page.getByTestId('throughput').textContent())!.replace(/[^\d]/g, ''))).toBeGreaterThan(500);
  await expect(page.locator('[data-edge="clicks.out->highValueCarts.in"] [data-fig="edge-rate"]')).toBeVisible();
  await expect(page.getByTestId('figures-byUser').locator('[data-fig="rate-out"]')).toBeVisible();
  await expect(page.locator('.figures .spark polyline').first()).toBeVisible();
  await studio.shot('running');

  // Tap the enrich → byUser edge: its latest records, as a table.
  await page.getByTestId('rf__edge-enrich.out->byUser.in').click({ force: true });
  const tap = page.getByTestId('tap');
  await expect(tap).toBeVisible();
  await expect(tap.locator('thead')).toContainText('userId');
  await expect(tap.locator('thead')).toContainText('value');
  await expect.poll(() => tap.locator('tbody tr').count()).toBeGreaterThan(1);
  await studio.shot('tap');
  await tap.getByRole('button', { name: 'Pause' }).click();
  const frozen = await tap.locator('tbody').textContent();
  await page.waitForTimeout(1000);
  expect(await tap.locator('tbody').textContent()).toBe(frozen);
  await tap.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => tap.locator('tbody').textContent()).not.toBe(frozen);

  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
  expect(existsSync(join(studio.dir, 'out', 'high-value-carts.jsonl'))).toBe(true);
  await studio.shot('stopped');

  // Reload: the saved file comes back, unchanged and clean; export gives the same bytes.
  await page.reload();
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  await expect(page.getByTestId('dirty')).toHaveCount(0);
  expect(await state<string>(page, 's => s.text()')).toBe(saved);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const file = await (await download).path();
  expect(readFileSync(file, 'utf8')).toBe(saved);
  await studio.shot('reloaded');
});
