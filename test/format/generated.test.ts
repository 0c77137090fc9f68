import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../scripts/generated.js';
import { NODE_SPECS } from '../../runtime/nodes/registry.js';
import { OPERATORS } from '../../runtime/nodes/operators.js';

describe('files generated from the node registry', () => {
  for (const [path, text] of Object.entries(generatedFiles())) {
    it(`${path} is up to date (run \`npm run gen\` after changing a node spec)`, () => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  }

  it('documents every node type and every param', () => {
    const md = generatedFiles()['docs/pipeline-format.md']!;
    for (const spec of NODE_SPECS) {
      expect(md).toContain(`### \`${spec.type}\``);
      for (const key of Object.keys((spec.params as unknown as { shape: object }).shape)) expect(md).toMatch(new RegExp(`\\| (\\*\\*)?${key}(\\*\\*)? \\|`));
    }
  });

  it('the JSON Schema has one node variant per spec', () => {
    const schema = JSON.parse(generatedFiles()['docs/pipeline.schema.json']!);
    const variants = schema.properties.nodes.items.oneOf ?? schema.properties.nodes.items.anyOf;
    expect(variants.map((v: { properties: { type: { const: string } } }) => v.properties.type.const).sort()).toEqual(NODE_SPECS.map((s) => s.type).sort());
  });

  it('every spec has an operator and an example that validates', () => {
    for (const spec of NODE_SPECS) {
      expect(OPERATORS[spec.type], spec.type).toBeTypeOf('function');
      expect(spec.params.safeParse(spec.example).success, spec.type).toBe(true);
    }
  });
});
