// Throttle: run a task at most once per interval, coalescing the requests that arrive in between
// (leading call runs at once, later ones collapse into one trailing run). No vscode import.
import { Disposable } from './events';

export class Throttle<K = string> implements Disposable {
  private lastRun = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending = new Set<K>();
  private running: Promise<void> | undefined;

  constructor(private readonly intervalMs: () => number, private readonly task: (keys: Set<K>) => Promise<void> | void) {}

  /** Ask for a run covering `key`. */
  request(key: K): void {
    this.pending.add(key);
    if (this.timer) return;
    const wait = Math.max(0, this.lastRun + this.intervalMs() - Date.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  /** Run now with whatever is pending (waits for a run in progress first). */
  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.running) await this.running;
    if (this.pending.size === 0) return;
    const keys = this.pending;
    this.pending = new Set();
    this.lastRun = Date.now();
    this.running = Promise.resolve()
      .then(() => this.task(keys))
      .catch(() => { /* the task logs its own errors */ })
      .finally(() => { this.running = undefined; });
    await this.running;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
