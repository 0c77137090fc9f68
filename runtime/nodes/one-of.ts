import type { z } from 'zod';

/** Object-level refinement for "either `a` or `b`, not both" params (an expression or code). */
export function exactlyOne(a: string, b: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const has = (k: string) => value[k] !== undefined;
    if (has(a) === has(b)) {
      ctx.addIssue({ code: 'custom', message: has(a) ? `give either '${a}' or '${b}', not both` : `'${a}' or '${b}' is required` });
    }
  };
}
