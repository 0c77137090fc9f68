// Issue 18, point 6, the rest of the small things, in a 1280×720 window: the code editor's problem
// tooltip shows whole (not cut at the inspector's edge); CEP steps wrap instead of scrolling
// sideways, their labels uncut; the edge inspector reads the rate as the canvas does; Kafka
// `brokers` edits as a list and keeps a one-string value a string; a source with no sink and an
// output going nowhere are warnings.
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, state, test, typeInMonaco } from './fixtures.js';

test.use({ viewport: { width: 1280, height: 720 } });

async function openTemplate(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator(`.file-list button[data-path="${name}"]`).click();
  await expect(page.locator('.modal')).toHaveCount(0);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

/** Whether an element shows whole: inside the window, its text not cut by its own box, and on top at its corners. */
async function shownWhole(l: Locator): Promise<string[]> {
  return l.evaluate((el) => {
    const bad: string[] = [];
    const r = el.getBoundingClientRect();
    if (r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight) bad.push(`outside the window: ${JSON.stringify(r)}`);
    for (const c of [el, ...Array.from(el.querySelectorAll<HTMLElement>('*'))]) {
      if (getComputedStyle(c).overflow !== 'visible' && c.scrollWidth > c.clientWidth + 1) bad.push(`cut sideways: ${c.className}`);
    }
    for (const [x, y] of [
      [r.left + 3, r.top + 3],
      [r.right - 3, r.top + 3],
      [r.left + 3, r.bottom - 3],
      [r.right - 3, r.bottom - 3],
    ] as const) {
      const top = document.elementFromPoint(x, y);
      // (Monaco's own resize handles sit on the hover's edges, in the widget around it.)
      const widget = el.closest('.monaco-resizable-hover') ?? el;
      if (!top || !widget.contains(top)) bad.push(`covered or clipped at (${Math.round(x)}, ${Math.round(y)}) by ${top?.className ?? 'nothing'}`);
    }
    return bad;
  });
}

test('the code editor tooltip shows whole beside the inspector', async ({ page, studio }) => {
  await openTemplate(page, 'clickstream-demo.json');
  await page.locator('.react-flow__node[data-id="purchases"]').click();
  await typeInMonaco(page, 'code-purchases/condition', "evntType == 'PURCHASE' && cuopon != null");
  const field = page.getByTestId('code-purchases/condition');
  const squiggle = field.locator('.squiggly-warning').last();
  await expect(squiggle).toBeVisible();
  // Point at the underlined name; Monaco shows its hover after a short delay.
  const b = (await squiggle.boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'cuopon' });
  await expect(hover).toBeVisible();
  await expect(hover).toContainText("unknown field 'cuopon'");
  // The inspector's left edge: the tooltip would be cut there if it lived inside the panel.
  const inspector = (await page.locator('.inspector').boundingBox())!;
  const h = (await hover.boundingBox())!;
  expect(h.width).toBeGreaterThan(150);
  expect(await shownWhole(hover)).toEqual([]);
  await studio.shot('code-tooltip-whole');
  // (Recorded for the reader: whether the tooltip crosses the inspector's edge.)
  test.info().annotations.push({ type: 'tooltip', description: `hover ${Math.round(h.x)}–${Math.round(h.x + h.width)} px, inspector from ${Math.round(inspector.x)} px` });
});

test('CEP steps wrap, labels whole, no sideways scroll', async ({ page, studio }) => {
  await openTemplate(page, 'cart-abandonment.json');
  await page.locator('.react-flow__node[data-id="abandoned"]').click();
  const editor = page.getByTestId('cep-editor');
  await editor.getByRole('button', { name: '+ step' }).click();
  await expect(editor.locator('.cep-step')).toHaveCount(3);
  const third = editor.locator('.cep-step').nth(2);
  await third.getByLabel('quantifier').selectOption('timesRange');
  const row = editor.locator('.cep-row');
  // Nothing to scroll to sideways: the row is as wide as the panel shows.
  const overflow = await row.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(overflow.scroll).toBeLessThanOrEqual(overflow.client + 1);
  const insp = (await page.locator('.inspector').boundingBox())!;
  for (let i = 0; i < 3; i++) {
    const s = (await editor.locator('.cep-step').nth(i).boundingBox())!;
    expect(s.x).toBeGreaterThanOrEqual(insp.x);
    expect(s.x + s.width).toBeLessThanOrEqual(insp.x + insp.width + 1);
  }
  // Every label and control inside its step's card, none cut.
  const cut = await editor.evaluate((root) => {
    const bad: string[] = [];
    // Each join reads whole, before its step.
    for (const join of Array.from(root.querySelectorAll<HTMLElement>('.cep-join'))) {
      const next = join.nextElementSibling!.getBoundingClientRect();
      if (join.scrollWidth > join.clientWidth + 1 || join.getBoundingClientRect().right > next.left + 1) bad.push(`join ${join.textContent} cut or under its step`);
    }
    for (const step of Array.from(root.querySelectorAll<HTMLElement>('.cep-step'))) {
      const box = step.getBoundingClientRect();
      for (const el of Array.from(step.querySelectorAll<HTMLElement>('label, select, input, .cep-api, .cep-step-head button'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1) bad.push(`${step.dataset.step}: ${el.tagName} ${el.getAttribute('aria-label') ?? el.textContent?.trim()} sticks out`);
        if (el.tagName === 'LABEL' && el.scrollWidth > el.clientWidth + 1) bad.push(`${step.dataset.step}: label ${el.textContent?.trim()} cut`);
      }
    }
    return bad;
  });
  expect(cut).toEqual([]);
  await third.scrollIntoViewIfNeeded();
  await studio.shot('cep-three-steps');
  // The step editor passes axe's checks (no serious or critical violations).
  const axe = await new AxeBuilder({ page }).include('.inspector').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
});

test('edge rates read alike on the canvas and in the edge inspector', async ({ page, studio }) => {
  await openTemplate(page, 'clickstream-demo.json');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running');
  const edge = 'clicks.out->highValueCarts.in';
  await page.evaluate((e) => (window as any).tributary.store.getState().select({ nodes: [], edge: e }), edge);
  const onCanvas = page.locator(`[data-edge="${edge}"] [data-fig="edge-rate"]`);
  await expect(onCanvas).toBeVisible();
  // Both follow the same figures; compare once they agree (they update on the same tick).
  await expect
    .poll(async () => {
      const c = (await onCanvas.textContent())!.replace('/s', '');
      const i = (await page.getByTestId('edge-rate').textContent())!.replace(' records/s', '');
      return c === i && /^[\d,.]+[KMB]?$/.test(c) ? 'same' : `${c} vs ${i}`;
    })
    .toBe('same');
  await studio.shot('edge-rate-formats');
  await page.getByRole('button', { name: '■ Stop', exact: true }).click();
});

test('Kafka brokers: a list in the form; one string stays one string; a list is valid', async ({ page, studio }) => {
  await openTemplate(page, 'clickstream-redis.json');
  await page.locator('.react-flow__node[data-id="clicks"]').click();
  const brokers = page.locator('[data-param="brokers"]');
  const before = await state<unknown>(page, 's => s.doc.nodes.find((n) => n.id === "clicks").params.brokers');
  expect(typeof before).toBe('string');
  await expect(brokers.locator('input[name="brokers.0"]')).toHaveValue(before as string);
  await brokers.locator('input[name="brokers.0"]').fill('127.0.0.1:9092,127.0.0.1:9093');
  expect(await state<unknown>(page, 's => s.doc.nodes.find((n) => n.id === "clicks").params.brokers')).toBe('127.0.0.1:9092,127.0.0.1:9093');
  await brokers.locator('input[name="brokers.0"]').fill('127.0.0.1:9092');
  await brokers.getByRole('button', { name: '+ add' }).click();
  await brokers.locator('input[name="brokers.1"]').fill('${KAFKA_BROKER_2:-127.0.0.1:9093}');
  expect(await state<unknown>(page, 's => s.doc.nodes.find((n) => n.id === "clicks").params.brokers')).toEqual(['127.0.0.1:9092', '${KAFKA_BROKER_2:-127.0.0.1:9093}']);
  await expect(page.locator('ul.problems')).toHaveCount(0);
  await expect(page.getByTestId('validity')).toContainText('valid');
  await studio.shot('kafka-brokers-list');
});

test('a source with no sink and an output going nowhere are warnings', async ({ page, studio }) => {
  await page.evaluate(() => {
    const s = (window as any).tributary.store.getState();
    s.addNode('source.generator', { x: 0, y: 0 });
    s.addNode('map', { x: 300, y: 0 });
  });
  const [gen, map] = await state<string[]>(page, 's => s.doc.nodes.map((n) => n.id)');
  await page.evaluate(([gen, map]) => (window as any).tributary.store.getState().connect({ source: gen, sourceHandle: 'out', target: map, targetHandle: 'in' }), [gen!, map!]);
  await page.getByRole('tab', { name: /^Problems/ }).click();
  const warnings = page.locator('.problems li.warning');
  await expect(warnings.filter({ hasText: 'no sink downstream' })).toHaveCount(1);
  await expect(warnings.filter({ hasText: "output 'out' goes nowhere" })).toHaveCount(1);
  await expect(page.locator('.problems li.error')).toHaveCount(0);
  await expect(page.getByTestId('validity')).toHaveText('valid, 2 warnings');
  await studio.shot('loose-ends-warned');
  // Ending the flow in a sink clears both.
  await page.evaluate((map) => {
    const s = (window as any).tributary.store.getState();
    s.addNode('sink.console', { x: 600, y: 0 });
    const sink = s.doc.nodes.at(-1).id;
    (window as any).tributary.store.getState().connect({ source: map, sourceHandle: 'out', target: sink, targetHandle: 'in' });
  }, map!);
  await expect(warnings).toHaveCount(0);
});
