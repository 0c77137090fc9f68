// What every end-to-end test gets: a studio on a scratch workspace, a page on it that may not
// reach anything beyond 127.0.0.1 (checked at the end), and numbered screenshots of each step.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { startStudioCli, type StudioProcess } from '../support/studio-cli.js';

export interface Studio {
  readonly dir: string;
  readonly process: StudioProcess;
  /** Save a numbered screenshot of the page under test-results/e2e/<test>/. */
  shot(name: string): Promise<void>;
}

const LOCAL = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:\d+)?\//;
const INTERNAL = /^(data|blob):/;

export const test = base.extend<{ studio: Studio; workspace: string; openFile: string | null }>({
  workspace: async ({}, use) => {
    await use(mkdtempSync(join(tmpdir(), 'tributary-e2e-')));
  },
  openFile: [null, { option: true }],
  studio: async ({ page, workspace, openFile }, use, info) => {
    const proc = await startStudioCli(openFile ? [join(workspace, openFile)] : [], { cwd: workspace });
    const outside: string[] = [];
    const violations: string[] = [];
    // Every request, including WebSockets and workers, must stay on this machine.
    await page.context().route('**/*', (route) => {
      const url = route.request().url();
      if (LOCAL.test(url) || INTERNAL.test(url)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('websocket', (ws) => {
      if (!LOCAL.test(ws.url())) outside.push(ws.url());
    });
    page.on('request', (r) => {
      if (!LOCAL.test(r.url()) && !INTERNAL.test(r.url())) outside.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    let n = 0;
    const dir = join('test-results', 'e2e', info.titlePath.slice(1).join(' - ').replace(/[^\w.-]+/g, '-'));
    await page.goto(proc.url);
    await expect(page.locator('.react-flow')).toBeVisible();
    await use({
      dir: workspace,
      process: proc,
      shot: async (name) => {
        n++;
        await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`) });
      },
    });
    expect(outside, 'requests that left localhost').toEqual([]);
    expect(violations, 'CSP violations and page errors').toEqual([]);
    await proc.stop();
  },
});

export { expect };

/** The centre of an element, for pointer moves. */
export async function centre(l: Locator): Promise<{ x: number; y: number }> {
  const b = (await l.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

export function handle(page: Page, node: string, port: string, kind: 'source' | 'target'): Locator {
  return page.locator(`.react-flow__handle.${kind}[data-nodeid="${node}"][data-handleid="${port}"]`);
}

/** Drag from one port to another with the mouse, as a person connects two nodes. */
export async function connectPorts(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  const a = await centre(handle(page, from[0], from[1], 'source'));
  const b = await centre(handle(page, to[0], to[1], 'target'));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** Drag a palette entry onto the canvas at a point of the canvas (relative to its top left). */
export async function dropNode(page: Page, type: string, at: { x: number; y: number }): Promise<void> {
  await page.locator(`.palette-item[data-type="${type}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: at });
}

/** Replace the text of the Monaco editor for a param of the selected node. */
export async function typeInMonaco(page: Page, testId: string, text: string): Promise<void> {
  const editor = page.getByTestId(testId).locator('.monaco-editor');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** The store's state, read in the page. */
export function state<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(`(() => { const s = window.tributary.store.getState(); return (${fn})(s); })()`) as Promise<T>;
}
