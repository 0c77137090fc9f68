// Expression options and their validation. Param names are spliced into
// generated function source, so anything that is not a plain identifier is
// rejected up front (a caller bug, hence a thrown TypeError rather than an
// ExprProblem).

export interface ExprOptions {
  /** Names bound as function parameters, in order. Default ['event']. */
  params?: string[];
  /**
   * The param whose fields free identifiers read. Default 'event' (or null
   * when 'event' is not among the params). null => a free identifier that
   * is not a param or helper is an error ("unknown name 'x'").
   */
  fieldsOf?: string | null;
}

export interface ResolvedOptions {
  params: readonly string[];
  fieldsOf: string | null;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Words that cannot name a parameter of a strict-mode function.
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if import in instanceof new null return super switch this throw ' +
    'true try typeof var void while with yield let static implements interface package private ' +
    'protected public await eval arguments undefined NaN Infinity'
  ).split(' '),
);

export function validateParams(params: readonly string[]): void {
  if (!Array.isArray(params)) throw new TypeError('params must be an array of names');
  const seen = new Set<string>();
  for (const p of params) {
    if (typeof p !== 'string' || !IDENT.test(p) || RESERVED.has(p)) {
      throw new TypeError(`invalid parameter name ${JSON.stringify(p)}`);
    }
    if (seen.has(p)) throw new TypeError(`duplicate parameter name '${p}'`);
    seen.add(p);
  }
}

export function resolveOptions(opts: ExprOptions | undefined): ResolvedOptions {
  const params = opts?.params ?? ['event'];
  validateParams(params);
  let fieldsOf: string | null;
  if (opts?.fieldsOf === undefined) {
    // Callers that rename the params (e.g. ['match', 'key']) usually mean
    // "no implicit record"; failing loudly on unknown names beats reading
    // fields of a param that does not exist.
    fieldsOf = params.includes('event') ? 'event' : null;
  } else {
    fieldsOf = opts.fieldsOf;
    if (fieldsOf !== null && !params.includes(fieldsOf)) {
      throw new TypeError(`fieldsOf '${fieldsOf}' is not one of the params (${params.join(', ')})`);
    }
  }
  return { params: [...params], fieldsOf };
}
