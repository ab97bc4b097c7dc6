// Problems of `.sdn` files (parse errors and warnings at file:line:col) from `sdndb check --json`:
// every database when the server (re)starts, and any `.sdn` file when it changes on disk (the
// server skips a malformed file silently, so its problems must be found here) or is saved.
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { checkProblems, CheckFileResult, Logger, ServerSupervisor } from './client';

const DEBOUNCE_MS = 300;

export class SdnFileDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('sdndb');
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.sdn');
  private readonly subs: vscode.Disposable[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private checkAll = false;

  constructor(private readonly supervisor: ServerSupervisor, private readonly binary: () => string | undefined, private readonly log: Logger) {
    const onFile = (uri: vscode.Uri) => { if (uri.scheme === 'file') this.schedule(uri.fsPath); };
    this.subs.push(
      this.collection, this.watcher,
      this.watcher.onDidChange(onFile),
      this.watcher.onDidCreate(onFile),
      this.watcher.onDidDelete((uri) => this.collection.delete(uri)),
      vscode.workspace.onDidSaveTextDocument((d) => { if (d.languageId === 'sdn') onFile(d.uri); }),
      vscode.workspace.onDidOpenTextDocument((d) => { if (d.languageId === 'sdn') onFile(d.uri); }),
      supervisor.onDidStart(() => { this.checkAll = true; this.schedule(); }),
    );
    for (const d of vscode.workspace.textDocuments) if (d.languageId === 'sdn') onFile(d.uri);
  }

  private schedule(file?: string): void {
    if (file) this.pending.add(file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.run(); }, DEBOUNCE_MS);
  }

  private async run(): Promise<void> {
    const bin = this.binary();
    const root = this.supervisor.client?.initializeResult?.root;
    if (!bin) return;
    const files = [...this.pending];
    const all = this.checkAll;
    this.pending.clear();
    this.checkAll = false;
    const base = [...(root ? ['--dir', root] : []), 'check', '--json'];
    if (all) await this.check(bin, root, base); // every database of the root
    if (files.length) await this.check(bin, root, [...base, ...files]);
  }

  private check(bin: string, cwd: string | undefined, args: string[]): Promise<void> {
    return new Promise((resolve) => {
      execFile(bin, args, { cwd, timeout: 30000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
        try {
          const results = JSON.parse(stdout) as CheckFileResult[];
          for (const [file, problems] of checkProblems(results)) {
            this.collection.set(vscode.Uri.file(file), problems.map((p) => {
              const line = Math.max(0, p.line - 1);
              const col = Math.max(0, p.column - 1);
              const d = new vscode.Diagnostic(new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER), p.message,
                p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
              d.source = 'sdndb';
              return d;
            }));
          }
        } catch {
          this.log.warn(`sdndb check ${args.join(' ')}: ${(stderr || err?.message || 'no output').trim()}`);
        }
        resolve();
      });
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
  }
}
