// A tiny event emitter shaped like vscode.EventEmitter, so the client module stays vscode-free.

export interface Disposable { dispose(): void }
export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        // A failing listener must not break the others (or the connection that fired it).
        console.error('sdndb: event listener failed', err);
      }
    }
  }

  dispose(): void { this.listeners.clear(); }
}

/** Logger shape; vscode.LogOutputChannel satisfies it. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

export const nullLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
