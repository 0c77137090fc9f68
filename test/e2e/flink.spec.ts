// "Run on Flink…" as a user does it, against a real two-process local Flink session cluster
// (`tributary flink cluster up`, started here and stopped at the end): nodes that cannot run on
// Flink are named before anything is submitted; a template is submitted, its Flink state and
// per-operator records show on the canvas, the web UI link points at the job, and Cancel ends it.
// A page reloaded while the job runs shows it again and can still cancel it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { flinkJobJar } from '../../runtime/flink/build.js';
import { clusterDown, clusterUp } from '../../runtime/cli/flink-cluster.js';
import { PIPELINES_DIR } from '../support/pipelines.js';
import { expect, test } from './fixtures.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function openTemplate(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator(`.file-list button[data-path="${name}"]`).click();
  await expect(page.locator('.modal')).toHaveCount(0);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

const clusterDir = mkdtempSync(join(tmpdir(), 'tributary-e2e-flink-'));
let url = '';

test.beforeAll(async () => {
  test.setTimeout(900_000); // the job jar is built once per machine (minutes); then cached
  flinkJobJar();
  ({ url } = await clusterUp({ dir: clusterDir, port: await freePort(), slots: 2 }));
});

test.afterAll(async () => {
  await clusterDown(clusterDir);
});

test('Run on Flink: unsupported nodes named first; a template runs on the cluster with its state, records and web UI link on the canvas; Cancel ends it', async ({ page, studio, workspace }) => {
  test.setTimeout(150_000); // a fresh TaskManager on a loaded machine takes a while to deploy the first job
  // Every template runs on Flink; one with a processing-time window does not: the node that
  // cannot run is named, with the reason, and nothing is sent.
  const doc = JSON.parse(readFileSync(join(PIPELINES_DIR, 'trending-products.json'), 'utf8'));
  doc.nodes.find((n: { id: string }) => n.id === 'trending').params.time = 'processing';
  writeFileSync(join(workspace, 'trending-now.json'), `${JSON.stringify(doc, null, 2)}\n`);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('.file-list button[data-path="trending-now.json"]').click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await page.getByRole('button', { name: 'Run on Flink…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run on Flink' });
  await expect(dialog.getByTestId('flink-problems')).toContainText('trending: processing-time windows are not translated yet');
  await expect(dialog.getByRole('button', { name: 'Submit to Flink' })).toBeDisabled();
  await studio.shot('not-on-flink');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await openTemplate(page, 'clickstream-demo.json');
  await page.getByRole('button', { name: 'Run on Flink…' }).click();
  await expect(dialog.getByTestId('flink-problems')).toHaveCount(0);
  await dialog.getByLabel(/JobManager REST address/).fill(url);
  await dialog.getByRole('button', { name: 'Submit to Flink' }).click();
  await expect(page.getByTestId('flink-state')).toHaveText(/Flink job (RUNNING|FINISHED)/, { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText('running');
  // Flink's REST API reports operator metrics every few seconds: wait for records on the source and a sink.
  const total = (node: string) => page.getByTestId(`figures-${node}`).locator('[data-fig="total"]');
  await expect(total('clicks')).toHaveText(/^[1-9]/, { timeout: 75_000 });
  await expect(total('purchaseFile')).toHaveText(/^[1-9]/, { timeout: 15_000 });
  // Everything here is chained into one task: the card says which figures are the chain's.
  await expect(page.getByTestId('figures-enrich').locator('[data-fig="flink-chain"]')).toContainText('chain of 7');
  const link = page.getByTestId('flink-web-ui');
  const jobId = (await page.evaluate(() => (window as any).tributary.store.getState().flinkJob.jobId)) as string;
  await expect(link).toHaveAttribute('href', `${url}/#/job/running/${jobId}/overview`);
  // The link is the job's page in Flink's own web UI, served by the cluster.
  const job = (await (await fetch(`${url}/jobs/${jobId}`)).json()) as { state: string; name: string };
  expect(job).toMatchObject({ state: 'RUNNING', name: 'clickstream-demo' });
  await studio.shot('running-on-flink');

  await page.getByRole('button', { name: '■ Cancel job' }).click();
  await expect(page.getByTestId('flink-state')).toHaveText('Flink job CANCELED', { timeout: 30_000 });
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
  await expect(link).toHaveAttribute('href', `${url}/#/job/completed/${jobId}/overview`);
  await studio.shot('canceled');
});

test('Run on Flink, then reload the page: the running job shows again with its state, records and link, and Cancel ends it', async ({ page, studio }) => {
  test.setTimeout(120_000);
  // A saved pipeline file (what the job is remembered by), opened the way a reload opens it again.
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'reload-me',
    nodes: [
      { id: 'clicks', type: 'source.generator', label: 'Clicks', position: { x: 0, y: 0 }, params: { rate: 500, seed: 5, users: 20 } },
      { id: 'carts', type: 'filter', label: 'Cart adds', position: { x: 300, y: 0 }, params: { condition: "eventType == 'ADD_TO_CART'" } },
      { id: 'out', type: 'sink.file', label: 'Carts', position: { x: 600, y: 0 }, params: { path: 'out/carts.jsonl' } },
    ],
    edges: [
      { from: 'clicks', to: 'carts' },
      { from: 'carts', to: 'out' },
    ],
  };
  writeFileSync(join(studio.dir, 'reload-me.json'), JSON.stringify(doc, null, 2));
  const open = async () => {
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('.file-list button[data-path="reload-me.json"]').click();
    await expect(page.locator('.react-flow__node')).toHaveCount(3);
  };
  await open();

  await page.getByRole('button', { name: 'Run on Flink…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run on Flink' });
  await dialog.getByLabel(/JobManager REST address/).fill(url);
  await dialog.getByRole('button', { name: 'Submit to Flink' }).click();
  await expect(page.getByTestId('flink-state')).toHaveText('Flink job RUNNING', { timeout: 60_000 });
  const jobId = (await page.evaluate(() => (window as any).tributary.store.getState().flinkJob.jobId)) as string;

  // Reload mid-run: the editor's connection (and its host) go; the job goes on on the cluster.
  await page.reload();
  await open();
  await expect(page.getByTestId('flink-state')).toHaveText('Flink job RUNNING', { timeout: 15_000 });
  await expect(page.getByTestId('run-status')).toHaveText('running');
  expect(await page.evaluate(() => (window as any).tributary.store.getState().flinkJob.jobId)).toBe(jobId);
  await expect(page.getByTestId('flink-web-ui')).toHaveAttribute('href', `${url}/#/job/running/${jobId}/overview`);
  await expect(page.getByTestId('figures-clicks').locator('[data-fig="total"]')).toHaveText(/^[1-9]/, { timeout: 45_000 });
  await studio.shot('found-again-after-reload');

  await page.getByRole('button', { name: '■ Cancel job' }).click();
  await expect(page.getByTestId('flink-state')).toHaveText('Flink job CANCELED', { timeout: 30_000 });
  await expect(page.getByTestId('run-status')).toHaveText('stopped');
  expect(((await (await fetch(`${url}/jobs/${jobId}`)).json()) as { state: string }).state).toBe('CANCELED');
  await studio.shot('canceled-after-reload');
});
