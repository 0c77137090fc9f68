// Lint, and above all the layering rule (docs/architecture.md): imports only point down.
//   runtime/        never imports UI or Electron code;
//   isomorphic runtime modules (format, expr, node specs) never import Node APIs either,
//                   since the editor bundles them;
//   renderer/       never imports Node APIs, Electron, or a runtime operator, connector or engine.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// A regex, not gitignore-style globs: the glob `process` would also match a node folder such as
// `./process/spec.js`; only the bare module names (and their subpaths) are Node's.
const NODE_APIS = `^(node:.*|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?)$`;
const UI = ['react', 'react/*', 'react-dom', 'react-dom/*', '@xyflow/*', 'zustand', 'zustand/*', 'monaco-editor', 'monaco-editor/*', '@monaco-editor/*', 'electron', '**/renderer/**', '**/electron/**'];
// The host's contract and wire protocol are isomorphic (the renderer and preload import them); the
// rest of runtime/host is Node-side.
const HOST_NODE_SIDE = ['**/host/*', '!**/host/contract*', '!**/host/rpc*'];
const RUNTIME_NODE_SIDE = ['**/runtime/engine/**', '**/runtime/connectors/**', '**/runtime/flink/**', ...HOST_NODE_SIDE, '**/runtime/cli/**', '**/runtime/nodes/operators*', '**/runtime/nodes/*/operator*', '**/engine/**', '**/connectors/**', '**/cli/**', '../operators*', './operator*', '../*/operator*'];

const restrict = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => (typeof group === 'string' ? { regex: group, message } : { group, message })) }],
});

const ISOMORPHIC = ['runtime/host/contract.ts', 'runtime/host/contract-desktop.ts', 'runtime/host/rpc.ts', 'runtime/format/**/*.ts', 'runtime/expr/**/*.ts', 'runtime/nodes/spec.ts', 'runtime/nodes/registry.ts', 'runtime/nodes/one-of.ts', 'runtime/nodes/kafka-params.ts', 'runtime/nodes/*/spec.ts', 'runtime/nodes/*/spec-*.ts', 'runtime/nodes/source-generator/ecommerce.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-implied-eval': 'off',
    },
  },
  {
    files: ['runtime/**/*.ts'],
    rules: restrict([UI, 'runtime/ must not import UI or Electron code (docs/architecture.md, "Layers")']),
  },
  {
    files: ISOMORPHIC,
    rules: restrict(
      [UI, 'runtime/ must not import UI or Electron code (docs/architecture.md, "Layers")'],
      [NODE_APIS, 'isomorphic runtime modules are bundled into the editor: no Node APIs here'],
      [RUNTIME_NODE_SIDE, 'isomorphic runtime modules must not import operators, connectors or the engine'],
    ),
  },
  {
    // renderer/vite.config.ts is build tooling that runs in Node, not in the page.
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: restrict(
      [NODE_APIS, 'the renderer runs in a sandboxed browser page: no Node APIs'],
      [['electron', '**/electron/**'], 'the renderer talks to Electron only through the preload API'],
      [RUNTIME_NODE_SIDE, 'the renderer may import only isomorphic runtime modules (node specs, format, the RPC contract types)'],
    ),
  },
);
