// Workspace trust for one window, as VS Code does it: a pipeline from a file this machine did not
// write that holds `code`, uses files outside its folder or reads set environment variables
// (runtime/host/trust-needs.ts), runs only
// after the user says so; until then it opens in Restricted Mode,
// where it can be viewed and edited but not run. The runtime host enforces trust per content hash
// (runtime/host/trust.ts, shared with `tributary run`); this gate decides when to ask, so that a
// user editing their own pipeline is never asked and a foreign file always is.
//
// The window's document has a lineage: trusted when it was created here, is a shipped template,
// needs no trust, or its content is already in the trust store (this machine saved it, or the user
// trusted it before); restricted otherwise, until the user trusts it. While the lineage is
// trusted, the content the user runs or saves is recorded as trusted (this machine wrote it).
import { serializePipeline } from '../runtime/format/serialize.js';
import type { PipelineDoc } from '../runtime/host/contract.js';
import type { TrustStore } from '../runtime/host/trust.js';

export type TrustQuestion = {
  /** What the user knows the document as: a file name. */
  readonly label: string;
  /** What needs trust, one sentence each (the host's `trustNeeds`). */
  readonly reasons: readonly string[];
  /** Asked on opening (trust, or open restricted) or before a run (trust and run, or cancel). */
  readonly when: 'open' | 'run';
};

/** Shows the question; resolves true when the user trusts the code. */
export type AskTrust = (q: TrustQuestion) => Promise<boolean>;

/** What in a document needs trust (null: it does not validate, so it cannot run). */
export type ReasonsOf = (doc: PipelineDoc) => Promise<readonly string[] | null>;

/** A document's JSON object from file text, or null when the text is not one. */
export function parsePipelineText(text: string): PipelineDoc | null {
  try {
    const doc = JSON.parse(text);
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? doc : null;
  } catch {
    return null;
  }
}

export class TrustGate {
  private lineage: 'trusted' | 'restricted' = 'trusted';

  constructor(
    private readonly store: TrustStore,
    private readonly ask: AskTrust,
    private readonly onChange: () => void = () => undefined,
  ) {}

  get trusted(): boolean {
    return this.lineage === 'trusted';
  }

  /** A new, empty document: whatever code it gets, the user writes here. */
  created(): void {
    this.set(true);
  }

  /**
   * A document was opened from a file (or a shipped template). Asks the user, when its code is
   * foreign, whether to trust it; resolves with the resulting lineage. `remember` records the
   * content as trusted (through the runtime host, the trust store's one writer in the app).
   */
  async opened(text: string, label: string, reasonsOf: ReasonsOf, remember: (doc: PipelineDoc) => Promise<void>, opts: { shipped?: boolean } = {}): Promise<boolean> {
    const doc = parsePipelineText(text);
    if (opts.shipped || (await this.known(text, doc))) return this.set(true);
    const reasons = doc ? await reasonsOf(doc) : null;
    // An invalid document cannot run; if it turns out to need trust once fixed, the run asks.
    if (!doc || reasons === null) return this.set(false);
    if (reasons.length === 0) return this.set(true);
    if (!(await this.ask({ label, reasons, when: 'open' }))) return this.set(false);
    await remember(doc);
    return this.set(true);
  }

  /**
   * The host refused to run (or the editor asks to trust) content that is not in the trust store.
   * In a trusted lineage that content is the user's own edit: yes without asking. Otherwise ask.
   */
  async approve(label: string, reasons: readonly string[]): Promise<boolean> {
    if (this.trusted) return true;
    if (!(await this.ask({ label, reasons, when: 'run' }))) return false;
    return this.set(true);
  }

  private async known(text: string, doc: PipelineDoc | null): Promise<boolean> {
    // The CLI hashes the file's text; the host the canonical saved form. Either one counts.
    if (await this.store.isTrusted(text)) return true;
    return doc !== null && (await this.store.isTrusted(serializePipeline(doc)));
  }

  private set(trusted: boolean): boolean {
    const before = this.lineage;
    this.lineage = trusted ? 'trusted' : 'restricted';
    if (before !== this.lineage) this.onChange();
    return trusted;
  }
}
