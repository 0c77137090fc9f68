// Completion and inline problems for expression and code editors. One provider for the JavaScript
// language serves every editor; each editor's model says what is in scope for it (the record's
// fields from upstream, the helpers, `event`/`ctx`), registered by model URI.
import { HELPERS } from '../../../runtime/expr/index.js';
import type { FieldInfo } from '../model/fields.js';
import { isWarningText, WARNING_PREFIX } from '../model/problems.js';
import { monaco } from './monaco-setup.js';

export interface Scope {
  readonly fields: readonly FieldInfo[];
  /** Names bound for code (`event`, `ctx`…); expressions get `event`. */
  readonly params: readonly string[];
  readonly kind: 'expression' | 'code';
}

const scopes = new Map<string, Scope>();

export function setScope(uri: string, scope: Scope | null): void {
  if (scope) scopes.set(uri, scope);
  else scopes.delete(uri);
}

let registered = false;

export function registerCompletion(): void {
  if (registered) return;
  registered = true;
  monaco.languages.registerCompletionItemProvider('javascript', {
    triggerCharacters: ['.'],
    provideCompletionItems(model, position) {
      const scope = scopes.get(model.uri.toString());
      if (!scope) return { suggestions: [] };
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const before = model.getLineContent(position.lineNumber).slice(0, word.startColumn - 1);
      const K = monaco.languages.CompletionItemKind;
      const fields = scope.fields.map((f) => ({
        label: f.name,
        kind: K.Field,
        detail: f.type ? `field: ${f.type}` : 'field',
        documentation: f.doc,
        insertText: f.name,
        range,
        sortText: `0${f.name}`,
      }));
      // After `event.` only the record's fields make sense.
      if (/\bevent\.$/.test(before)) return { suggestions: fields };
      if (/\.$/.test(before)) return { suggestions: [] };
      const helpers = Object.entries(HELPERS).map(([name, h]) => ({
        label: name,
        kind: K.Function,
        detail: h.signature,
        documentation: h.doc,
        insertText: name,
        range,
        sortText: `2${name}`,
      }));
      const params = scope.params.map((p) => ({ label: p, kind: K.Variable, insertText: p, range, detail: p === 'event' ? 'the whole record' : 'in scope', sortText: `1${p}` }));
      return { suggestions: scope.kind === 'expression' ? [...fields, ...params, ...helpers] : [...params, ...fields, ...helpers] };
    },
  });
}

/**
 * Where a validator message puts its error: "(line 2, column 5)" or "(column 5)". A warning about
 * an unknown field ("warning: unknown field 'x'…") underlines just that name, as a warning.
 */
export function markerFor(text: string, model: { getLineCount(): number; getLineMaxColumn(l: number): number }) {
  const warning = isWarningText(text);
  const message = warning ? text.slice(WARNING_PREFIX.length) : text;
  const name = warning ? /^unknown field '([^']+)'/.exec(message)?.[1] : undefined;
  const m = /\((?:line (\d+), )?column (\d+)\)\s*$/.exec(message);
  const line = m ? Math.min(Number(m[1] ?? 1), model.getLineCount()) : 1;
  const col = m ? Number(m[2]) : 1;
  const max = model.getLineMaxColumn(line);
  // Underline from the reported column to the end of the line (at least one character).
  const from = Math.max(1, Math.min(col, max - 1));
  return {
    severity: warning ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
    message: message.replace(/\s*\((?:line \d+, )?column \d+\)\s*$/, ''),
    startLineNumber: line,
    startColumn: from,
    endLineNumber: line,
    endColumn: name ? Math.min(max, from + name.length) : Math.max(from + 1, max),
  };
}
