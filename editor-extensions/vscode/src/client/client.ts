// SdndbClient: one running `sdndb serve` process and its JSON-RPC connection (vscode-jsonrpc over
// stdio with LSP framing). No vscode import: tested with `node --test` against the real binary.
import { spawn, ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  Trace,
  NotificationType,
  RequestType,
} from 'vscode-jsonrpc/node';
import { Emitter, Event, Logger, nullLogger } from './events';
import {
  Conflict, Database, DeleteParams, DeleteResult, DidChangeParams, EditParams, EditResult, ErrorCodes,
  InitializeParams, InitializeResult, ListParams, ListResult, LogMessageParams, Methods, ResolveParams,
  ResolveResult, SdnRecord, Strategy,
  ApplyParams, ApplyResult,
} from './protocol';

export interface ClientOptions {
  /** Absolute path of the sdndb binary. */
  binary: string;
  /** Database folder, passed as `serve --dir`. Without it the server discovers it from rootPath. */
  dir?: string;
  /** Workspace root sent in `initialize` (and the process's cwd). */
  rootPath?: string;
  strategy?: Strategy;
  clientName?: string;
  clientVersion?: string;
  /** Extra arguments after `serve` (e.g. `--log FILE`). */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Log every message at trace level. */
  traceTraffic?: boolean;
  /** How long `initialize` may take (ms). */
  startTimeoutMs?: number;
}

export interface ExitInfo { code: number | null; signal: NodeJS.Signals | null; expected: boolean }

/** An error answered by the server, with its JSON-RPC code and data. */
export class SdndbError extends Error {
  constructor(message: string, readonly code: number, readonly data?: unknown) {
    super(message);
    this.name = 'SdndbError';
  }
  get isConflict(): boolean { return this.code === ErrorCodes.Conflict; }
  get isNotFound(): boolean { return this.code === ErrorCodes.NotFound; }
}

/** The binary could not be started at all (missing, not executable). */
export class SpawnError extends Error {
  constructor(message: string, readonly errno?: string) {
    super(message);
    this.name = 'SpawnError';
  }
}

/** The server process ended before answering initialize. */
class InitExitError extends Error {}

function initExitError(exit: ExitInfo, stderrTail: string): InitExitError {
  const tail = stderrTail.trim();
  return new InitExitError(`sdndb server exited during initialize (code ${exit.code}, signal ${exit.signal})` +
    (tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''));
}

export class SdndbClient {
  private readonly onDidChangeEmitter = new Emitter<DidChangeParams>();
  private readonly onExitEmitter = new Emitter<ExitInfo>();
  /** `sdndb/didChange` notifications. */
  readonly onDidChange: Event<DidChangeParams> = this.onDidChangeEmitter.event;
  /** The process ended (expected = after stop()). */
  readonly onExit: Event<ExitInfo> = this.onExitEmitter.event;

  private stopping = false;
  private exited = false;
  private exitPromise: Promise<ExitInfo>;
  private initResult: InitializeResult | undefined;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly connection: MessageConnection,
    log: Logger,
  ) {
    this.exitPromise = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exited = true;
        const info = { code, signal, expected: this.stopping };
        if (this.stopping) log.info(`sdndb server exited (code ${code ?? signal})`);
        else log.error(`sdndb server exited unexpectedly (code ${code}, signal ${signal})`);
        connection.dispose();
        resolve(info);
        this.onExitEmitter.fire(info);
      });
    });
  }

  get pid(): number | undefined { return this.proc.pid; }
  get running(): boolean { return !this.exited; }
  get initializeResult(): InitializeResult | undefined { return this.initResult; }

  /** Spawns `sdndb serve`, runs initialize/initialized and returns a ready client. */
  static async start(opts: ClientOptions): Promise<SdndbClient> {
    const log = opts.logger ?? nullLogger;
    const args = ['serve'];
    if (opts.dir) args.push('--dir', opts.dir);
    if (opts.extraArgs) args.push(...opts.extraArgs);
    log.info(`starting ${opts.binary} ${args.join(' ')}`);
    const proc = spawn(opts.binary, args, {
      cwd: opts.rootPath ?? opts.dir ?? process.cwd(),
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A missing binary surfaces as an 'error' event right after spawn.
    await new Promise<void>((resolve, reject) => {
      proc.once('error', (err: NodeJS.ErrnoException) =>
        reject(new SpawnError(`cannot start ${opts.binary}: ${err.message}`, err.code)));
      proc.once('spawn', () => resolve());
    });
    proc.on('error', (err) => log.error(`sdndb process error: ${err.message}`));
    // Writing to a server that has just died (EPIPE) is reported by its exit; do not throw it.
    proc.stdin!.on('error', (err) => log.debug(`sdndb stdin: ${err.message}`));
    let stderrTail = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      for (const line of chunk.split('\n')) if (line.trim()) log.debug(`[server] ${line}`);
    });

    const connection = createMessageConnection(
      new StreamMessageReader(proc.stdout!),
      new StreamMessageWriter(proc.stdin!),
    );
    const client = new SdndbClient(proc, connection, log);
    connection.onNotification(new NotificationType<DidChangeParams>(Methods.didChange), (p) =>
      client.onDidChangeEmitter.fire(p));
    connection.onNotification(new NotificationType<LogMessageParams>(Methods.logMessage), (p) => {
      const text = `[server] ${p.message}`;
      if (p.type === 1) log.error(text);
      else if (p.type === 2) log.warn(text);
      else if (p.type === 3) log.info(text);
      else log.debug(text);
    });
    connection.onError(([err]) => log.error(`connection error: ${err.message}`));
    if (opts.traceTraffic ?? true) {
      void connection.trace(Trace.Verbose, {
        log: (message: unknown, data?: string) => log.trace(data ? `${String(message)}\n${data}` : String(message)),
      }, { sendNotification: false });
    }
    connection.listen();

    const params: InitializeParams = {
      rootPath: opts.rootPath ?? opts.dir,
      rootUri: opts.rootPath ? pathToFileURL(opts.rootPath).href : undefined,
      clientInfo: { name: opts.clientName ?? 'sdndb-client', version: opts.clientVersion },
      capabilities: { window: { workDoneProgress: false } },
      initializationOptions: opts.strategy ? { strategy: opts.strategy } : undefined,
    };
    try {
      const timeout = opts.startTimeoutMs ?? 15000;
      const result = await Promise.race([
        client.request<InitializeResult>(Methods.initialize, params),
        client.exitPromise.then((e) => { throw initExitError(e, stderrTail); }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`initialize timed out after ${timeout} ms`)), timeout).unref()),
      ]);
      client.initResult = result;
      await connection.sendNotification(Methods.initialized, {});
      log.info(`connected to ${result.serverInfo?.name ?? 'sdndb'} ${result.serverInfo?.version ?? ''}, root ${result.root}`);
      return client;
    } catch (err) {
      // A failed write (EPIPE) can come before the exit event of a dying server: let the exit arrive.
      if (!(err instanceof InitExitError) && !client.exited) {
        await Promise.race([client.exitPromise, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
      }
      const exit = client.exited ? await client.exitPromise : undefined;
      client.kill();
      if (exit && !(err instanceof InitExitError)) throw initExitError(exit, stderrTail);
      throw err;
    }
  }

  /** Sends a request; server errors become SdndbError. */
  async request<R>(method: string, params: unknown): Promise<R> {
    if (this.exited) throw new Error('sdndb server is not running');
    try {
      return await this.connection.sendRequest(new RequestType<unknown, R, unknown>(method), params);
    } catch (err) {
      if (err instanceof ResponseError) throw new SdndbError(err.message, err.code, err.data);
      throw err;
    }
  }

  async databases(): Promise<Database[]> {
    return (await this.request<{ databases: Database[] }>(Methods.databases, {})).databases;
  }
  list(params: ListParams): Promise<ListResult> { return this.request(Methods.list, params); }
  /** `table`: a table of the file other than its records table (servers with table addressing). */
  async get(database: string, id: string, table?: string): Promise<SdnRecord> {
    return (await this.request<{ record: SdnRecord }>(Methods.get, { database, table, id })).record;
  }
  async create(database: string, fields: Record<string, string>, table?: string): Promise<SdnRecord> {
    return (await this.request<{ record: SdnRecord }>(Methods.create, { database, table, fields })).record;
  }
  /** sdndb/apply: every item in one transaction; each item's outcome or error in request order. */
  apply(params: ApplyParams): Promise<ApplyResult> { return this.request(Methods.apply, params); }
  edit(params: EditParams): Promise<EditResult> { return this.request(Methods.edit, params); }
  delete(params: DeleteParams): Promise<DeleteResult> { return this.request(Methods.delete, params); }
  async conflicts(database?: string): Promise<Conflict[]> {
    return (await this.request<{ conflicts: Conflict[] }>(Methods.conflicts, database ? { database } : {})).conflicts;
  }
  resolve(params: ResolveParams): Promise<ResolveResult> { return this.request(Methods.resolve, params); }

  /** shutdown + exit; kills the process if it does not end within timeoutMs. */
  async stop(timeoutMs = 3000): Promise<ExitInfo> {
    if (this.exited) return this.exitPromise;
    this.stopping = true;
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      await Promise.race([
        this.connection.sendRequest(Methods.shutdown).then(() => this.connection.sendNotification(Methods.exit)),
        this.exitPromise,
      ]);
      this.proc.stdin?.end();
    } catch {
      this.kill();
    }
    const info = await this.exitPromise;
    clearTimeout(timer);
    return info;
  }

  /** Ends the process at once (SIGKILL). expected=false reports the exit as a crash (tests). */
  kill(expected = true): void {
    if (expected) this.stopping = true;
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}
