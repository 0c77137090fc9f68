// modelInfo: an ONNX model's inputs, outputs and metadata through the real WebSocket host, read
// from a real model; a file outside the pipeline's folder is read only for a trusted document.
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostClient } from '../../runtime/host/rpc.js';
import type { StudioServer } from '../../runtime/host/ws-server.js';
import { PIPELINES_DIR } from '../support/pipelines.js';
import { connect, scratchStudio } from '../support/studio.js';

let server: StudioServer;
let root: string;
let client: HostClient;

beforeAll(async () => {
  ({ server, root } = await scratchStudio());
  ({ client } = await connect(server));
  mkdirSync(join(root, 'jobs', 'models'), { recursive: true });
  copyFileSync(join(PIPELINES_DIR, 'models', 'churn.onnx'), join(root, 'jobs', 'models', 'churn.onnx'));
  copyFileSync(join(PIPELINES_DIR, 'models', 'churn.onnx'), join(root, 'elsewhere.onnx'));
  writeFileSync(join(root, 'jobs', 'models', 'bad.onnx'), 'not a model');
  // A link inside the folder that points out of it, and a model in a hidden folder.
  symlinkSync(join(root, 'elsewhere.onnx'), join(root, 'jobs', 'models', 'link.onnx'));
  mkdirSync(join(root, 'jobs', '.cache'), { recursive: true });
  copyFileSync(join(PIPELINES_DIR, 'models', 'churn.onnx'), join(root, 'jobs', '.cache', 'churn.onnx'));
});
afterAll(async () => {
  await server.close();
});

const origin = { kind: 'file' as const, path: 'jobs/churn.json' };

describe('modelInfo', () => {
  it('reads a model beside the pipeline: inputs, outputs with shapes and types, producer, description, version', async () => {
    const info = await client.call('modelInfo', { origin, path: 'models/churn.onnx' });
    expect(info.file).toBe(join('models', 'churn.onnx'));
    expect(info.version).toMatch(/^[0-9a-f]{12}$/);
    expect(info.producer).toMatch(/train\.py/);
    expect(info.doc).toMatch(/^Churn: P\(no activity/);
    expect(info.inputs).toHaveLength(1);
    expect(info.inputs[0]).toMatchObject({ type: 'float32' });
    expect(info.inputs[0]!.shape[1]).toBe(5); // five features, as churn-scoring.json gives
    expect(info.outputs.map((o) => o.name)).toEqual(['output_label', 'output_probability']);
    expect(info.outputs[1]).toMatchObject({ type: 'float32', shape: ['', 2] }); // one probability per class
  });

  it('refuses a file outside the pipeline\'s folder until the document naming it is trusted', async () => {
    const doc = {
      format: 'tributary.pipeline/v1',
      name: 't',
      nodes: [
        { id: 'g', type: 'source.generator', params: {} },
        { id: 'm', type: 'infer', params: { model: { kind: 'onnx', path: '../elsewhere.onnx' }, features: ['price'] } },
        { id: 'o', type: 'sink.console', params: {} },
      ],
      edges: [{ from: 'g', to: 'm' }, { from: 'm', to: 'o' }],
    };
    await expect(client.call('modelInfo', { origin, path: '../elsewhere.onnx', doc })).rejects.toThrow(/outside the pipeline's folder.*trust/);
    await client.call('trust', { doc, origin });
    const info = await client.call('modelInfo', { origin, path: '../elsewhere.onnx', doc });
    expect(info.outputs.map((o) => o.name)).toContain('output_probability');
    // Trusting one document does not open other paths to it.
    await expect(client.call('modelInfo', { origin, path: '../.trust.json', doc })).rejects.toThrow(/outside/);
  });

  it('counts a symbolic link where it points, an absolute path as outside, and a hidden file as hidden', async () => {
    await expect(client.call('modelInfo', { origin, path: 'models/link.onnx' })).rejects.toThrow(/outside the pipeline's folder/);
    await expect(client.call('modelInfo', { origin, path: join(root, 'elsewhere.onnx') })).rejects.toThrow(/outside the pipeline's folder/);
    await expect(client.call('modelInfo', { origin, path: 'models/../../elsewhere.onnx' })).rejects.toThrow(/outside the pipeline's folder/);
    await expect(client.call('modelInfo', { origin, path: '.cache/churn.onnx' })).rejects.toThrow(/hidden inside the pipeline's folder/);
  });

  it('says what is wrong with a missing file, a non-ONNX file and a pickle', async () => {
    await expect(client.call('modelInfo', { origin, path: 'models/none.onnx' })).rejects.toThrow(/models\/none\.onnx: no such file/);
    await expect(client.call('modelInfo', { origin, path: 'models/bad.onnx' })).rejects.toThrow(/not an ONNX model/);
    await expect(client.call('modelInfo', { origin, path: 'models/m.pkl' })).rejects.toThrow(/not an \.onnx file/);
  });
});
