// A part of the editor that cannot render says so in place, instead of taking the whole page (and
// the document on it) down: React unmounts everything up to the nearest boundary on a render error.
// What the editor renders is user data (a hand-edited file, records from a running job), so a shape
// nobody planned for must cost one panel at most. `resetKey` changing gives the part another try.
import { Component, type ReactNode } from 'react';

interface Props {
  readonly what: string;
  readonly resetKey?: unknown;
  readonly children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidUpdate(prev: Props): void {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="render-error" role="alert">
        {this.props.what} cannot be shown: {this.state.error.message}
      </div>
    );
  }
}
