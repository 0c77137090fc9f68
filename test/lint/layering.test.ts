// The layering rule is only worth something if it fires: lint small sources placed in each layer.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function errors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rule', () => {
  it('runtime/ may not import UI or Electron code', async () => {
    expect(await errors('runtime/engine/x.ts', "import React from 'react';\nexport const x = React;\n")).toHaveLength(1);
    expect(await errors('runtime/host/x.ts', "import { app } from 'electron';\nexport const x = app;\n")).toHaveLength(1);
    expect(await errors('runtime/engine/x.ts', "import { a } from '../../renderer/store.js';\nexport const x = a;\n")).toHaveLength(1);
    expect(await errors('runtime/engine/x.ts', "import { readFile } from 'node:fs';\nexport const x = readFile;\n")).toEqual([]);
  });

  it('isomorphic runtime modules may not import Node APIs or operators', async () => {
    expect(await errors('runtime/format/x.ts', "import { readFile } from 'node:fs';\nexport const x = readFile;\n")).toHaveLength(1);
    expect(await errors('runtime/nodes/filter/spec.ts', "import { join } from 'path';\nexport const x = join;\n")).toHaveLength(1);
    expect(await errors('runtime/nodes/filter/spec.ts', "import { createFilter } from './operator.js';\nexport const x = createFilter;\n")).toHaveLength(1);
    expect(await errors('runtime/expr/x.ts', "import { Job } from '../engine/job.js';\nexport const x = Job;\n")).toHaveLength(1);
    expect(await errors('runtime/format/x.ts', "import { TrustStore } from '../host/trust.js';\nexport const x = TrustStore;\n")).toHaveLength(1);
    expect(await errors('runtime/host/contract.ts', "import { readFile } from 'node:fs';\nexport const x = readFile;\n")).toHaveLength(1);
  });

  it('renderer/ may not import Node APIs, Electron or runtime operators', async () => {
    expect(await errors('renderer/src/x.ts', "import { readFile } from 'node:fs';\nexport const x = readFile;\n")).toHaveLength(1);
    expect(await errors('renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).toHaveLength(1);
    expect(await errors('renderer/src/x.ts', "import { createFilter } from '../../runtime/nodes/filter/operator.js';\nexport const x = createFilter;\n")).toHaveLength(1);
    expect(await errors('renderer/src/x.ts', "import { Job } from '../../runtime/engine/job.js';\nexport const x = Job;\n")).toHaveLength(1);
    expect(await errors('renderer/src/x.ts', "import { RuntimeHost } from '../../runtime/host/runtime-host.js';\nexport const x = RuntimeHost;\n")).toHaveLength(1);
    // Specs, the format and the host's contract are isomorphic: allowed.
    expect(await errors('renderer/src/x.ts', "import { METHOD_NAMES } from '../../runtime/host/contract.js';\nexport const x = METHOD_NAMES;\n")).toEqual([]);
    expect(await errors('renderer/src/x.ts', "import { createClient } from '../../runtime/host/rpc.js';\nexport const x = createClient;\n")).toEqual([]);
    expect(await errors('renderer/src/x.ts', "import { NODE_SPECS } from '../../runtime/nodes/registry.js';\nexport const x = NODE_SPECS;\n")).toEqual([]);
    expect(await errors('renderer/src/x.ts', "import { validatePipeline } from '../../runtime/format/validate.js';\nexport const x = validatePipeline;\n")).toEqual([]);
  });

  it('the whole project passes the lint', async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
  });
});
