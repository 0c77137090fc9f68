/// <reference lib="dom" />
// The built editor as the desktop window runs it: under the window's own Content-Security-Policy,
// with the real preload's API (test/electron/support/desktop-page.ts), driven by menu commands, its
// runtime host in a separate process. No CSP violation, no page error, no request beyond the page's
// own origin; screenshots of each step in test-results/e2e/desktop/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DESKTOP_CSP } from '../../electron/protocol.js';
import { serializePipeline } from '../../runtime/format/serialize.js';
import { desktopPage, serveAppScheme } from '../electron/support/desktop-page.js';
import { PIPELINES_DIR } from '../support/pipelines.js';

test('the desktop window: CSP, preload API, menu commands, native file actions, a crashed runtime', async ({ page }) => {
  const app = await serveAppScheme();
  const desktop = await desktopPage(page, app.origin);
  const outside: string[] = [];
  const violations: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`${app.origin}/`) && !/^(data|blob):/.test(r.url())) outside.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  let n = 0;
  const shot = (name: string) => page.screenshot({ path: join('test-results', 'e2e', 'desktop', `${String(++n).padStart(2, '0')}-${name}.png`) });

  try {
    const response = await page.goto(`${app.origin}/index.html`);
    expect(response!.headers()['content-security-policy']).toBe(DESKTOP_CSP);
    await expect(page.locator('.react-flow')).toBeVisible();
    // The page sees the preload's two objects, and the desktop window's title follows the document.
    expect(await page.evaluate(() => [typeof (window as any).tributaryHost?.send, Object.keys((window as any).tributaryDesktop).sort()])).toEqual([
      'function',
      ['fileAction', 'onCommand', 'onHostStatus', 'platform', 'reportState'],
    ]);
    await expect.poll(() => desktop.win.title).toBe('untitled — Tributary');
    await shot('empty');

    // File › Open (what the menu and the command line do): the document arrives from the main process.
    const file = join(desktop.dir, 'trending.json');
    writeFileSync(file, readFileSync(join(PIPELINES_DIR, 'trending-products.json'), 'utf8'));
    await desktop.doc.openPath(file);
    await expect(page.getByTestId('file')).toContainText('trending.json');
    await expect.poll(() => desktop.win.title).toBe('trending.json — Tributary');
    // Monaco loads its workers under the window's CSP.
    await page.locator('.react-flow__node[data-id="views"]').click();
    await expect(page.getByTestId('code-views/condition').locator('.monaco-editor')).toBeVisible();
    await shot('opened-from-menu');

    // Run › Run: live figures come from the runtime host's process, through the main process.
    desktop.doc.command({ kind: 'run' });
    await expect(page.getByTestId('run-status')).toContainText(/running|finished/);
    await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 30_000 });
    expect(existsSync(join(desktop.dir, 'out', 'trending.jsonl'))).toBe(true);
    await shot('ran');

    // The toolbar's Save on a new document: a native Save dialog, then the file.
    desktop.doc.command({ kind: 'new' });
    await expect(page.locator('.react-flow__node')).toHaveCount(0);
    await page.locator('.palette-item[data-type="source.generator"]').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 300, y: 200 } });
    await expect.poll(() => desktop.win.title).toMatch(/^● /);
    const saved = join(desktop.dir, 'mine.json');
    desktop.dialogs.saveAnswers.push(saved);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => existsSync(saved)).toBe(true);
    await expect.poll(() => desktop.win.title).toBe('mine.json — Tributary');
    await shot('saved-natively');

    // A pipeline file dropped on the window opens by its path, through the main process.
    const dropped = join(desktop.dir, 'dropped.json');
    writeFileSync(dropped, serializePipeline({ format: 'tributary.pipeline/v1', name: 'dropped', nodes: [{ id: 'only', type: 'source.generator', params: {} }], edges: [] }));
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['ignored: the main process reads the file'], 'dropped.json', { type: 'application/json' }));
      document.querySelector('.canvas')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect(page.locator('.react-flow__node[data-id="only"]')).toBeVisible();
    await expect.poll(() => desktop.win.title).toBe('dropped.json — Tributary');

    // A pipeline that kills its runtime: the page says so, keeps its unsaved work, runs again after.
    await page.evaluate(() => {
      const s = (window as any).tributary.store.getState();
      s.openText(
        JSON.stringify({
          format: 'tributary.pipeline/v1',
          name: 'crash',
          nodes: [
            { id: 'clicks', type: 'source.generator', params: { rate: 0, count: 100 } },
            { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
            { id: 'boom', type: 'process', params: { code: 'process.exit(7);' } },
            { id: 'out', type: 'sink.console', params: {} },
          ],
          edges: [
            { from: 'clicks', to: 'byUser' },
            { from: 'byUser', to: 'boom' },
            { from: 'boom', to: 'out' },
          ],
        }),
        { kind: 'new' },
      );
      s.setLabel('boom', 'unsaved label');
    });
    desktop.doc.command({ kind: 'run' });
    await expect(page.locator('.notice.error')).toContainText('stopped unexpectedly (exit code 7)');
    await expect(page.getByTestId('run-status')).toContainText('failed');
    await expect(page.locator('.react-flow__node[data-id="boom"]')).toContainText('unsaved label');
    await shot('runtime-crashed');

    expect(desktop.refused, 'IPC refused by the sender check').toEqual([]);
  } finally {
    desktop.dispose();
    await app.close();
  }
  expect(outside, 'requests beyond the page’s origin').toEqual([]);
  expect(violations, 'CSP violations and page errors').toEqual([]);
});
