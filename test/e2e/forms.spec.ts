/// <reference lib="dom" />
// Forms for every node type the palette offers (the Kafka and Redis nodes among them), a Kafka
// topic edited through its list form, and documents and records of shapes no form expects: each
// costs a problem in the list, never the page.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { objectFields, paramsSchema } from '../../renderer/src/model/form.js';
import { NODE_SPECS, REGISTRY } from '../../runtime/nodes/registry.js';
import { expect, state, test } from './fixtures.js';

test('every node type opens its form from the palette', async ({ page, studio }) => {
  const types = await page.locator('.palette-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.type!));
  expect(types.sort()).toEqual(NODE_SPECS.map((s) => s.type).sort());
  for (const [i, type] of types.entries()) {
    await page.locator(`.palette-item[data-type="${type}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 150 + (i % 5) * 220, y: 80 + Math.floor(i / 5) * 110 } });
    const id = await state<string>(page, 's => s.doc.nodes[s.doc.nodes.length - 1].id');
    await page.locator(`.react-flow__node[data-id="${id}"]`).click();
    const inspector = page.locator('.node-inspector');
    await expect(inspector).toHaveAttribute('data-node', id);
    await expect(inspector.locator('h2 .type')).toHaveText(type);
    if (objectFields(paramsSchema(REGISTRY.get(type)!)).length > 0) await expect(inspector.locator('.params .field').first()).toBeVisible();
  }
  await expect(page.locator('.render-error')).toHaveCount(0);
  await studio.shot('every-node-type');
});

test('a Kafka topic written as one name shows in its list form and stays one name when edited', async ({ page, studio }) => {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator('.file-list button[data-path="clickstream-redis.json"]').click();
  await page.locator('.react-flow__node[data-id="clicks"]').click();
  const topic = page.locator('[data-param="topic"]');
  await expect(topic.locator('input[name="topic.0"]')).toHaveValue('clicks');
  await studio.shot('kafka-topic');
  await topic.locator('input[name="topic.0"]').fill('orders');
  expect(await state<unknown>(page, 's => s.doc.nodes.find((n) => n.id === "clicks").params.topic')).toBe('orders');
  await topic.getByRole('button', { name: '+ add' }).click();
  await topic.locator('input[name="topic.1"]').fill('returns');
  expect(await state<unknown>(page, 's => s.doc.nodes.find((n) => n.id === "clicks").params.topic')).toEqual(['orders', 'returns']);
  await expect(page.locator('ul.problems')).toHaveCount(0);
});

test('a hand-edited file with shapes no form expects opens with its problems listed', async ({ page, studio, workspace }) => {
  const odd = {
    format: 'tributary.pipeline/v1',
    name: 'odd',
    nodes: [
      { id: 'clicks', type: 'source.generator', label: { en: 'Clicks' }, position: { x: 0, y: 0 }, params: {} },
      { id: 'byUser', type: 'keyBy', position: { x: 260, y: 0 }, params: { key: 'userId' } },
      { id: 'pattern', type: 'cep', position: { x: 520, y: 0 }, params: { pattern: [null, { name: 5 }] } },
      { id: 'out', type: 'sink.console', position: { x: 780, y: 0 } },
    ],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'pattern' },
      { from: 'pattern', to: 'out' },
    ],
  };
  writeFileSync(join(workspace, 'odd.json'), `${JSON.stringify(odd, null, 2)}\n`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('.file-list button[data-path="odd.json"]').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(4);
  await expect(page.locator('ul.problems')).toContainText('$.nodes[0].label');
  await expect(page.locator('ul.problems')).toContainText('$.nodes[2].params.pattern[0]');
  await page.locator('.react-flow__node[data-id="clicks"]').click();
  await expect(page.locator('.node-inspector')).toHaveAttribute('data-node', 'clicks');
  await page.locator('.react-flow__node[data-id="pattern"]').click();
  await expect(page.locator('.node-inspector [data-param="pattern"]')).toBeVisible();
  await expect(page.locator('.render-error')).toHaveCount(0);
  await studio.shot('odd-shapes');

  // Records whose event time is in nanoseconds (a Kafka producer's, read as milliseconds) reach
  // a tap as numbers no Date can hold: the table shows the number.
  await page.evaluate(() => {
    const store = (window as any).tributary.store;
    store.setState({ tap: { edge: 'clicks.out->byUser.in', tapId: 1, rows: [], paused: false, seen: 0 } });
    store.getState().onTap({ tapId: 1, seen: 1, records: [{ ts: 1.7e18, value: { userId: 'u1' } }] });
  });
  const tap = page.getByTestId('tap');
  await expect(tap.locator('tbody td').first()).toHaveText('1700000000000000000');
  await expect(tap.locator('tbody')).toContainText('u1');
  await studio.shot('nanosecond-tap');
});
