// Monaco from the bundle, never from a CDN: @monaco-editor/react is pointed at this module's
// monaco, its workers are bundled by Vite, and only the editor core, its features and the
// JavaScript grammar are included (expressions and code are JavaScript).
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

export { monaco };
