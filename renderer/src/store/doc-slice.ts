// The document slice: the pipeline being edited, where it came from, its saved form, undo/redo,
// selection, clipboard and the validator's problems. Plain TypeScript over a zustand vanilla store.
import { serializePipeline } from '../../../runtime/format/serialize.js';
import { validatePipeline } from '../../../runtime/format/validate.js';
import { pipelineWarnings } from '../../../runtime/format/warnings.js';
import type { Origin } from '../../../runtime/host/contract.js';
import { type Doc, emptyDoc, getIn, parseDoc, replaceNode, setIn } from '../model/doc.js';
import { addNode, type Connection, connect, copyFragment, type Fragment, moveNodes, pasteFragment, removeElements, renameNode } from '../model/graph-ops.js';
import { emptyHistory, type History, record, redo, undo } from '../model/history.js';
import { layoutPositions } from '../model/layout.js';
import { type PlacedProblem, placeProblems } from '../model/problems.js';
import type { Deps, Get, Set } from './types.js';

export interface Selection {
  readonly nodes: readonly string[];
  readonly edge: string | null;
}

export interface Notice {
  readonly text: string;
  readonly kind: 'info' | 'error';
  readonly at: number;
  /** About a run (it failed, or could not start): cleared by the next run or an edit that may fix it. */
  readonly run?: boolean;
}

export interface DocSlice {
  doc: Doc;
  origin: Origin;
  /** The text last opened or saved; the document is dirty when its saved form differs. */
  savedText: string;
  dirty: boolean;
  history: History<Doc>;
  selection: Selection;
  /** A field to reveal in the inspector (from the problems panel). */
  focus: { readonly nodeId: string; readonly param: readonly (string | number)[] | null; readonly seq: number } | null;
  clipboard: Fragment | null;
  problems: readonly PlacedProblem[];
  notice: Notice | null;
  /** Bumped whenever another document is opened (the canvas then fits it into view). */
  opened: number;

  edit(fn: (doc: Doc) => Doc, groupKey?: string | null): void;
  newDoc(): void;
  openText(text: string, origin: Origin): boolean;
  text(): string;
  addNode(type: string, position: { x: number; y: number }): string;
  connect(c: Connection): string | null;
  deleteSelection(): void;
  setParam(nodeId: string, path: readonly (string | number)[], value: unknown): void;
  setParams(nodeId: string, params: Record<string, unknown>): void;
  setLabel(nodeId: string, label: string): void;
  renameNode(from: string, to: string): string | null;
  setName(name: string): void;
  moveNodes(moves: ReadonlyMap<string, { x: number; y: number }>, dragKey: string | null): void;
  select(selection: Partial<Selection>): void;
  selectAll(): void;
  reveal(nodeId: string, param: readonly (string | number)[] | null): void;
  undo(): void;
  redo(): void;
  copy(): Fragment | null;
  cut(): void;
  paste(frag?: Fragment): void;
  autoLayout(): Promise<void>;
  validate(): void;
  notify(text: string, kind?: 'info' | 'error'): void;
  markSaved(text: string, origin: Origin): void;
}

export function docSlice(set: Set, get: Get, deps: Deps): DocSlice {
  const serialize = (doc: Doc) => serializePipeline(doc, deps.registry);
  let validateTimer: ReturnType<typeof setTimeout> | null = null;
  let pastes = 0;
  const scheduleValidate = () => {
    if (deps.validateDelayMs === 0) return get().validate();
    if (validateTimer) clearTimeout(validateTimer);
    validateTimer = setTimeout(() => get().validate(), deps.validateDelayMs ?? 200);
  };
  const replace = (doc: Doc, origin: Origin, savedText: string) => {
    set({ doc, origin, savedText, dirty: serialize(doc) !== savedText, history: emptyHistory(), selection: { nodes: [], edge: null }, focus: null, opened: get().opened + 1 });
    get().resetRun();
    get().validate();
  };
  const initial = emptyDoc();
  return {
    doc: initial,
    origin: { kind: 'new' },
    savedText: serialize(initial),
    dirty: false,
    history: emptyHistory(),
    selection: { nodes: [], edge: null },
    focus: null,
    clipboard: null,
    problems: [],
    notice: null,
    opened: 0,

    edit(fn, groupKey = null) {
      const before = get().doc;
      const doc = fn(before);
      if (doc === before) return;
      set({ doc, history: record(get().history, before, groupKey, deps.now()), dirty: serialize(doc) !== get().savedText });
      // An edit may be the fix for what made the last run fail: its banner goes (the Run problems
      // panel keeps the record until the next run).
      if (get().notice?.run) set({ notice: null });
      scheduleValidate();
    },
    newDoc() {
      const doc = emptyDoc();
      replace(doc, { kind: 'new' }, serialize(doc));
    },
    openText(text, origin) {
      if (text.trim() === '') {
        // A file that does not exist yet (`tributary studio new.json`): start it empty.
        const doc = { ...emptyDoc(origin.kind === 'file' ? origin.path.replace(/^.*\//, '').replace(/\.json$/, '') : 'untitled') };
        replace(doc, origin, '');
        return true;
      }
      const parsed = parseDoc(text);
      if ('error' in parsed) {
        get().notify(`cannot open: ${parsed.error}`, 'error');
        return false;
      }
      // A file's formatting (indentation, key order: a hand-written file) is no unsaved change, so
      // it counts as saved in its saved form; only what opening changed (entries that are not
      // objects are dropped) leaves it dirty. A template opens the same way: opening one is not an
      // edit (switching templates asks nothing), and as it has no file of the user's, Save asks
      // for a path.
      replace(parsed.doc, origin, serializePipeline(JSON.parse(text) as Record<string, unknown>, deps.registry));
      return true;
    },
    text: () => serialize(get().doc),
    addNode(type, position) {
      let id = '';
      get().edit((d) => {
        const r = addNode(d, deps.registry, type, position);
        id = r.id;
        return r.doc;
      });
      set({ selection: { nodes: [id], edge: null } });
      return id;
    },
    connect(c) {
      const r = connect(get().doc, deps.registry, c);
      if ('reason' in r) {
        get().notify(`cannot connect: ${r.reason}`, 'error');
        return r.reason;
      }
      get().edit(() => r.doc);
      return null;
    },
    deleteSelection() {
      const { nodes, edge } = get().selection;
      if (nodes.length === 0 && edge === null) return;
      get().edit((d) => removeElements(d, nodes, edge ? [edge] : []));
      set({ selection: { nodes: [], edge: null } });
    },
    setParam(nodeId, path, value) {
      get().edit((d) => replaceNode(d, nodeId, (n) => ({ ...n, params: setIn(n.params ?? {}, path, value) as Record<string, unknown> })), `param:${nodeId}:${path.join('.')}`);
    },
    setParams(nodeId, params) {
      get().edit((d) => replaceNode(d, nodeId, (n) => ({ ...n, params })), `params:${nodeId}`);
    },
    setLabel(nodeId, label) {
      get().edit((d) => replaceNode(d, nodeId, (n) => (label === '' ? { ...n, label: undefined } : { ...n, label })), `label:${nodeId}`);
    },
    renameNode(from, to) {
      const r = renameNode(get().doc, from, to);
      if ('reason' in r) return r.reason;
      get().edit(() => r.doc);
      set({ selection: { nodes: get().selection.nodes.map((n) => (n === from ? to : n)), edge: null } });
      return null;
    },
    setName(name) {
      get().edit((d) => ({ ...d, name }), 'name');
    },
    moveNodes(moves, dragKey) {
      get().edit((d) => moveNodes(d, moves), dragKey);
    },
    select(sel) {
      set({ selection: { ...get().selection, ...sel } });
    },
    selectAll() {
      set({ selection: { nodes: get().doc.nodes.map((n) => n.id), edge: null } });
    },
    reveal(nodeId, param) {
      set({ selection: { nodes: [nodeId], edge: null }, focus: { nodeId, param, seq: (get().focus?.seq ?? 0) + 1 } });
    },
    undo() {
      const r = undo(get().history, get().doc);
      if (!r) return;
      set({ doc: r.present, history: r.history, dirty: serialize(r.present) !== get().savedText });
      get().validate();
    },
    redo() {
      const r = redo(get().history, get().doc);
      if (!r) return;
      set({ doc: r.present, history: r.history, dirty: serialize(r.present) !== get().savedText });
      get().validate();
    },
    copy() {
      const ids = get().selection.nodes;
      if (ids.length === 0) return null;
      const frag = copyFragment(get().doc, ids);
      pastes = 0;
      set({ clipboard: frag });
      return frag;
    },
    cut() {
      if (get().copy()) get().deleteSelection();
    },
    paste(frag) {
      const f = frag ?? get().clipboard;
      if (!f || f.nodes.length === 0) return;
      pastes++;
      let ids: string[] = [];
      get().edit((d) => {
        const r = pasteFragment(d, f, 40 * pastes);
        ids = r.ids;
        return r.doc;
      });
      set({ selection: { nodes: ids, edge: null } });
    },
    async autoLayout() {
      const positions = await layoutPositions(get().doc, deps.registry);
      get().moveNodes(positions, null);
    },
    validate() {
      if (validateTimer) clearTimeout(validateTimer);
      validateTimer = null;
      const doc = get().doc;
      // Errors; once there are none, warnings (unknown fields, loose ends), which do not stop a run.
      // As `tributary validate`: a warning about an invalid document (an edge to a missing node
      // leaves its source's output "going nowhere") would only restate an error.
      const errors = validatePipeline(doc, deps.registry).problems;
      set({ problems: placeProblems(doc, errors.length > 0 ? errors : pipelineWarnings(doc, deps.registry)) });
    },
    notify(text, kind = 'info') {
      set({ notice: { text, kind, at: deps.now() } });
    },
    markSaved(text, origin) {
      set({ savedText: text, origin, dirty: serialize(get().doc) !== text });
    },
  };
}

export { getIn };
