/** Anything with `dispose()`; structurally compatible with `vscode.Disposable`. */
export interface DisposableLike {
  dispose(): unknown;
}

/** Base for services: everything a service creates is registered and disposed with it, last first. */
export abstract class Disposable implements DisposableLike {
  private readonly disposables: DisposableLike[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected _register<T extends DisposableLike>(d: T): T {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length) {
      try {
        this.disposables.pop()!.dispose();
      } catch {
        // a failing disposer must not keep the others from running
      }
    }
  }
}

export function toDisposable(fn: () => void): DisposableLike {
  return { dispose: fn };
}

/** A minimal typed event emitter usable without `vscode` (`event` matches `vscode.Event`'s shape). */
export class Emitter<T> implements DisposableLike {
  private listeners = new Set<(e: T) => void>();

  readonly event = (listener: (e: T) => void): DisposableLike => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        console.error('agentmonitor: listener failed', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
