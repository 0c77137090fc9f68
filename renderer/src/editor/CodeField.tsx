// Monaco for an expression or a code param: field-name completion from upstream and the validator's
// problems as inline markers (the same messages the Problems panel and the CLI show).
import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef } from 'react';
import type { FieldInfo } from '../model/fields.js';
import { isWarningText } from '../model/problems.js';
import { markerFor, registerCompletion, setScope } from './completion.js';
import { monaco } from './monaco-setup.js';

export interface CodeFieldProps {
  readonly id: string;
  readonly kind: 'expression' | 'code';
  readonly value: string;
  readonly onChange: (v: string) => void;
  readonly fields: readonly FieldInfo[];
  readonly params: readonly string[];
  readonly problems: readonly string[];
  readonly label: string;
}

export function CodeField({ id, kind, value, onChange, fields, params, problems, label }: CodeFieldProps) {
  const uri = `inmemory://tributary/${id}.js`;
  const editorRef = useRef<Parameters<OnMount>[0] | null>(null);
  registerCompletion();

  useEffect(() => {
    setScope(uri, { fields, params, kind });
    return () => setScope(uri, null);
  }, [uri, fields, params, kind]);

  useEffect(() => {
    const model = monaco.editor.getModel(monaco.Uri.parse(uri));
    if (!model) return;
    monaco.editor.setModelMarkers(model, 'tributary', problems.map((p) => markerFor(p, model)));
  }, [uri, problems, editorRef.current]);

  return (
    <div className={`code-field ${kind} ${problems.some((p) => !isWarningText(p)) ? 'invalid' : problems.length > 0 ? 'warned' : ''}`} data-testid={`code-${id}`} aria-label={label}>
      <Editor
        height={kind === 'expression' ? 64 : 170}
        language="javascript"
        path={uri}
        value={value}
        onChange={(v) => onChange(v ?? '')}
        onMount={(editor) => {
          editorRef.current = editor;
          const model = editor.getModel();
          if (model) monaco.editor.setModelMarkers(model, 'tributary', problems.map((p) => markerFor(p, model)));
        }}
        options={{
          minimap: { enabled: false },
          lineNumbers: kind === 'code' ? 'on' : 'off',
          glyphMargin: false,
          folding: false,
          wordWrap: 'on',
          scrollBeyondLastLine: false,
          fontSize: 12,
          tabSize: 2,
          renderLineHighlight: 'none',
          overviewRulerLanes: 0,
          automaticLayout: true,
          fixedOverflowWidgets: true,
          quickSuggestions: { other: true, strings: false, comments: false },
          suggestOnTriggerCharacters: true,
          // Chromium's EditContext drops spaces from synthetic typing; plain textarea input is exact.
          editContext: false,
          scrollbar: { alwaysConsumeMouseWheel: false },
        }}
      />
    </div>
  );
}
