// The CEP step editor on the real `cep` node: steps as a row of cards reading as Flink's Pattern
// API, edited through their controls, with the node's own validation rules shown on the step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.js';

test('edit a CEP pattern with the step editor', async ({ page, studio, workspace }) => {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator('.file-list button[data-path="cart-abandonment.json"]').click();
  await page.locator('.react-flow__node[data-id="abandoned"]').click();
  const editor = page.getByTestId('cep-editor');
  await expect(editor.locator('.cep-step')).toHaveCount(2);
  await expect(editor.locator('.cep-join')).toHaveText(['.notFollowedBy() →']);
  await studio.shot('cep-editor');

  // Add a step: it follows the last one with relaxed contiguity; strict makes it `next`.
  await editor.getByRole('button', { name: '+ step' }).click();
  await expect(editor.locator('.cep-step')).toHaveCount(3);
  await expect(editor.locator('.cep-join').nth(1)).toHaveText('.followedBy() →');
  const third = editor.locator('.cep-step').nth(2);
  await third.getByLabel('contiguity').selectOption('strict');
  await expect(editor.locator('.cep-join').nth(1)).toHaveText('.next() →');
  await third.getByLabel('quantifier').selectOption('oneOrMore');
  await expect(third.locator('.cep-api')).toHaveText('oneOrMore()');
  await third.getByLabel('inner contiguity').selectOption('strict');
  await expect(third.locator('.cep-api')).toHaveText('oneOrMore().consecutive()');
  await studio.shot('cep-step-added');
  await third.getByTitle('remove step').click();
  await expect(editor.locator('.cep-step')).toHaveCount(2);

  // Flink's rule: a NOT step cannot follow an optional one. The node's validator says so on the step.
  const first = editor.locator('.cep-step').first();
  await first.getByLabel('optional').check();
  const paid = editor.locator('.cep-step').nth(1);
  await expect(paid.locator('.field-problems')).toContainText('Flink rejects a NOT step right after an optional one');
  await expect(page.locator('ul.problems')).toContainText('$.nodes[2].params.pattern[1].negated');
  await studio.shot('cep-rule');
  await first.getByLabel('optional').uncheck();
  await expect(paid.locator('.field-problems')).toHaveCount(0);
  await expect(page.locator('ul.problems li')).toHaveCount(0);

  // Saved into the workspace (a template is only a starting point), it runs there: the pattern's
  // node shows its figures, and the alerts land beside the saved file.
  await page.getByRole('button', { name: 'Save as' }).click();
  await page.locator('input[name="save-path"]').fill('cart.json');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('file')).toHaveText('cart.json');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 60_000 });
  await expect(page.getByTestId('figures-abandoned').locator('[data-fig="total"]')).not.toHaveText('0');
  await expect(page.getByTestId('figures-abandoned').locator('[data-fig="partial"]')).toBeVisible();
  expect(readFileSync(join(workspace, 'out', 'cart-abandonment.jsonl'), 'utf8')).toContain('cart-abandoned');
  await studio.shot('cep-ran');
});
