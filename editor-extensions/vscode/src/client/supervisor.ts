// ServerSupervisor: keeps one `sdndb serve` running. Restarts it with backoff when it dies, gives up
// after too many crashes in a short time, and reports a missing binary as its own state.
// No vscode import.
import { ClientOptions, SdndbClient, SpawnError } from './client';
import { Disposable, Emitter, Event, Logger, nullLogger } from './events';
import { DidChangeParams } from './protocol';

export type ServerState = 'stopped' | 'starting' | 'running' | 'restarting' | 'missing' | 'failed';

export type LaunchConfig = { ok: true; options: ClientOptions } | { ok: false; reason: string };

export interface SupervisorOptions {
  /** Called before every (re)start so settings changes are picked up. */
  launchConfig: () => LaunchConfig;
  logger?: Logger;
  /** Restarts allowed within windowMs (default 5 a minute); the next crash in the window gives up. */
  maxRestarts?: number;
  windowMs?: number;
  /** Delay before restart n (last value repeats). */
  backoffMs?: number[];
}

export class ServerSupervisor implements Disposable {
  private readonly stateEmitter = new Emitter<ServerState>();
  private readonly startEmitter = new Emitter<SdndbClient>();
  private readonly changeEmitter = new Emitter<DidChangeParams>();
  readonly onDidChangeState: Event<ServerState> = this.stateEmitter.event;
  /** A new client is ready (first start and every restart). */
  readonly onDidStart: Event<SdndbClient> = this.startEmitter.event;
  /** `sdndb/didChange` from whichever client is current. */
  readonly onDidChange: Event<DidChangeParams> = this.changeEmitter.event;

  private _state: ServerState = 'stopped';
  private _client: SdndbClient | undefined;
  private _lastError = '';
  private crashes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private disposed = false;
  private readonly log: Logger;

  constructor(private readonly opts: SupervisorOptions) {
    this.log = opts.logger ?? nullLogger;
  }

  get state(): ServerState { return this._state; }
  get client(): SdndbClient | undefined { return this._state === 'running' ? this._client : undefined; }
  /** Why the server is not running (missing binary, start failure, crash). */
  get lastError(): string { return this._lastError; }

  /** Waits until running (or throws the reason it is not). */
  async ready(): Promise<SdndbClient> {
    const c = this.client;
    if (c) return c;
    if (this._state === 'starting' || this._state === 'restarting') {
      await new Promise<void>((resolve) => {
        const d = this.onDidChangeState((s) => {
          if (s !== 'starting' && s !== 'restarting') { d.dispose(); resolve(); }
        });
      });
      if (this.client) return this.client;
    }
    throw new Error(this._lastError || `sdndb server is ${this._state}`);
  }

  /** Starts the server (no-op when running). Resolves when it is up or failed. */
  async start(): Promise<void> {
    if (this._state === 'running' || this._state === 'starting') return;
    await this.launch(false);
  }

  /** Manual restart: stops the current server and starts fresh, forgetting earlier crashes. */
  async restart(): Promise<void> {
    this.crashes = [];
    this.cancelTimer();
    await this.stopClient();
    await this.launch(false);
  }

  async stop(): Promise<void> {
    this.cancelTimer();
    await this.stopClient();
    this.setState('stopped');
  }

  dispose(): void {
    this.disposed = true;
    void this.stop();
    this.stateEmitter.dispose();
    this.startEmitter.dispose();
    this.changeEmitter.dispose();
  }

  private async launch(isRestart: boolean): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    const cfg = this.opts.launchConfig();
    if (!cfg.ok) {
      this._lastError = cfg.reason;
      this.log.error(cfg.reason);
      this.setState('missing');
      return;
    }
    this.setState(isRestart ? 'restarting' : 'starting');
    try {
      const client = await SdndbClient.start({ ...cfg.options, logger: cfg.options.logger ?? this.log });
      if (gen !== this.generation || this.disposed) { client.kill(); return; }
      this._client = client;
      this._lastError = '';
      client.onDidChange((p) => {
        if (gen === this.generation && !this.disposed) this.changeEmitter.fire(p);
      });
      client.onExit((info) => {
        if (info.expected || gen !== this.generation || this.disposed) return;
        this._client = undefined;
        this._lastError = `sdndb server died (exit code ${info.code ?? '-'}, signal ${info.signal ?? '-'})`;
        this.scheduleRestart();
      });
      this.setState('running');
      this.startEmitter.fire(client);
    } catch (err) {
      if (gen !== this.generation) return;
      const msg = err instanceof Error ? err.message : String(err);
      this._lastError = msg;
      this.log.error(`sdndb server failed to start: ${msg}`);
      if (err instanceof SpawnError && err.errno === 'ENOENT') {
        this.setState('missing');
        return;
      }
      this.scheduleRestart();
    }
  }

  private scheduleRestart(): void {
    const now = Date.now();
    const windowMs = this.opts.windowMs ?? 60_000;
    this.crashes = this.crashes.filter((t) => now - t < windowMs);
    this.crashes.push(now);
    const max = this.opts.maxRestarts ?? 5;
    if (this.crashes.length > max) {
      this.log.error(`sdndb server failed ${this.crashes.length} times within ${windowMs / 1000} s; not restarting. ` +
        'Use "sdndb: Restart Server" after fixing the cause.');
      this.setState('failed');
      return;
    }
    const backoff = this.opts.backoffMs ?? [300, 1000, 2000, 4000, 8000];
    const delay = backoff[Math.min(this.crashes.length - 1, backoff.length - 1)];
    this.log.warn(`restarting the sdndb server in ${delay} ms (attempt ${this.crashes.length}/${max})`);
    this.setState('restarting');
    this.cancelTimer();
    this.restartTimer = setTimeout(() => { this.restartTimer = undefined; void this.launch(true); }, delay);
  }

  private cancelTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private async stopClient(): Promise<void> {
    this.generation++;
    const c = this._client;
    this._client = undefined;
    if (c) await c.stop(); // never rejects: it kills the process when shutdown fails
  }

  private setState(s: ServerState): void {
    if (this._state === s) return;
    this._state = s;
    this.stateEmitter.fire(s);
  }
}
