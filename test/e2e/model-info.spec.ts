// Issue 14's editor item: the infer node's form shows its ONNX model's inputs, outputs, shapes and
// metadata, read by the host from the real model file beside the template.
import { expect, test } from './fixtures.js';

test('an ONNX infer node shows its model: inputs, outputs, shapes, description, version; a missing file says so', async ({ page, studio }) => {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator('.file-list button[data-path="churn-scoring.json"]').click();
  await expect(page.locator('.modal')).toHaveCount(0);
  await page.locator('.react-flow__node[data-id="model"]').click();
  const panel = page.getByTestId('model-info');
  await expect(panel.locator('table').first()).toBeVisible();
  await expect(panel).toContainText('models/churn.onnx · version');
  await expect(panel).toContainText('Churn: P(no activity');
  const inputs = panel.locator('table', { hasText: 'Inputs' });
  await expect(inputs.locator('tbody tr')).toHaveCount(1);
  await expect(inputs.locator('tbody tr td').nth(1)).toHaveText('float32');
  await expect(inputs.locator('tbody tr td').nth(2)).toHaveText('[?, 5]');
  const outputs = panel.locator('table', { hasText: 'Outputs' });
  await expect(outputs.locator('tbody tr td code')).toHaveText(['output_label', 'output_probability']);
  await expect(outputs.locator('tbody tr').nth(1).locator('td').nth(2)).toHaveText('[?, 2]');
  await panel.scrollIntoViewIfNeeded();
  await studio.shot('model-info');
  await page.evaluate(() => (window as any).tributary.store.getState().setParam('model', ['model', 'path'], 'models/nothere.onnx'));
  await expect(panel).toContainText('models/nothere.onnx: no such file');
  await studio.shot('model-missing');
});
