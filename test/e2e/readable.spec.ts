// Readable at the default zoom: every template, opened (and so fitted) in a 1280×720 window, has no
// canvas text under 11 px on screen and nothing cut; the main screens pass axe's accessibility
// checks (no serious or critical violations, which includes WCAG AA contrast); panes resize and
// collapse, and the overview map sits outside the canvas.
import { readdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { PIPELINES_DIR } from '../support/pipelines.js';
import { expect, test } from './fixtures.js';

test.use({ viewport: { width: 1280, height: 720 } });

const TEMPLATES = readdirSync(PIPELINES_DIR).filter((f) => f.endsWith('.json')).sort();

async function openTemplate(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator(`.file-list button[data-path="${name}"]`).click();
  await expect(page.locator('.modal')).toHaveCount(0);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await page.waitForTimeout(400); // the fit runs once the nodes are measured
}

/** Canvas text smaller than 11 px on screen, and text cut by its box. */
async function readability(page: Page): Promise<{ small: string[]; cut: string[] }> {
  return page.evaluate(() => {
    const small: string[] = [];
    const cut: string[] = [];
    const m = /scale\(([\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform);
    const zoom = m ? Number(m[1]) : 1;
    const canvas = document.querySelector('.canvas')!.getBoundingClientRect();
    const inView = (r: DOMRect) => r.width > 0 && r.right > canvas.left && r.left < canvas.right && r.bottom > canvas.top && r.top < canvas.bottom;
    const texts = document.querySelectorAll('.react-flow__node *, .edge-label, .edge-label *, .port-label');
    for (const el of Array.from(texts)) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim() !== '');
      if (!own || !inView(el.getBoundingClientRect())) continue;
      const px = parseFloat(getComputedStyle(el).fontSize) * zoom;
      if (px < 10.95) small.push(`${el.className || el.tagName}: ${el.textContent!.trim().slice(0, 30)} (${px.toFixed(1)} px)`);
    }
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node .node-label, .react-flow__node .figures, .react-flow__node .meta'))) {
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) cut.push(`${el.className}: ${el.textContent!.trim().slice(0, 40)}`);
    }
    return { small, cut };
  });
}

async function axe(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
}

test('every template reads at the default zoom in 1280×720', async ({ page, studio }) => {
  test.setTimeout(300_000);
  for (const t of TEMPLATES) {
    await openTemplate(page, t);
    const r = await readability(page);
    expect(r.small, `${t}: text under 11 px`).toEqual([]);
    expect(r.cut, `${t}: text cut`).toEqual([]);
    await studio.shot(t.replace('.json', ''));
  }
});

test('running: readable and accessible; panes resize and collapse', async ({ page, studio }) => {
  test.setTimeout(300_000); // axe over a live canvas is slow on a loaded machine
  await axe(page, 'empty editor');
  await openTemplate(page, 'trending-products.json');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await expect(page.getByTestId('figures-trending')).toBeVisible();
  await page.waitForTimeout(1500);
  const r = await readability(page);
  expect(r.small).toEqual([]);
  expect(r.cut).toEqual([]);
  await studio.shot('running-fitted');
  await axe(page, 'running');
  // Zoomed in to 1: the detailed cards, still readable and uncut.
  await page.evaluate(() => (window as any).tributary.store.getState().select({ nodes: ['trending'], edge: null }));
  await page.getByRole('button', { name: 'Zoom In' }).click();
  await page.getByRole('button', { name: 'Zoom In' }).click();
  await page.getByRole('button', { name: 'Zoom In' }).click();
  await page.waitForTimeout(500);
  const near = await readability(page);
  expect(near.small).toEqual([]);
  await studio.shot('running-zoomed-in');
  await axe(page, 'node selected while running');
  // Panes: the inspector resizes with the keyboard, the palette and bottom panel collapse.
  const inspector = page.locator('.inspector');
  const before = (await inspector.boundingBox())!.width;
  await page.getByRole('separator', { name: 'Resize the inspector' }).focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await inspector.boundingBox())!.width).toBeGreaterThan(before + 30);
  await page.getByRole('button', { name: 'Palette', exact: true }).click();
  await expect(page.locator('.palette')).toHaveCount(0);
  await page.getByRole('button', { name: 'Panels', exact: true }).click();
  await expect(page.locator('.panel-body')).toHaveCount(0);
  await studio.shot('panes-collapsed');
  // The overview map is never over the canvas.
  await page.getByRole('button', { name: 'Panels', exact: true }).click();
  const map = (await page.locator('.minimap-slot').boundingBox())!;
  const canvas = (await page.locator('.canvas').boundingBox())!;
  expect(map.y).toBeGreaterThanOrEqual(canvas.y + canvas.height - 1);
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await expect(page.locator('.minimap-slot')).toHaveCount(0);
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
});
