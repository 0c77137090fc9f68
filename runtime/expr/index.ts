// Public API of the expression module: expressions (a checked, pure subset of
// JavaScript over a record, compiled once) and code (function bodies).
// Isomorphic: nothing here may import node:* modules.
export type { ExprProblem } from './problem.js';
export { ExpressionError } from './problem.js';
export type { ExprOptions } from './options.js';
export type { HelperSpec } from './helpers.js';
export { HELPERS } from './helpers.js';
export { checkExpression, referencedFields } from './check.js';
export { compileExpression } from './compile.js';
export { checkCode, compileCode } from './code.js';
export { codeFieldsRead } from './event-fields.js';
export { checkTemplate, compileTemplate } from './template.js';
