// The outline of `.sdn` files: each named table with its records (labelled by id and title), and the
// other top-level keys.
import * as vscode from 'vscode';
import { sdnOutline, titleField } from './client';

export class SdnSymbolProvider implements vscode.DocumentSymbolProvider {
  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const outline = sdnOutline(doc.getText());
    const lineRange = (line: number) => doc.lineAt(Math.min(line - 1, doc.lineCount - 1)).range;
    const symbols: vscode.DocumentSymbol[] = [];
    for (const t of outline.tables) {
      const range = new vscode.Range(lineRange(t.line).start, lineRange(t.endLine).end);
      const table = new vscode.DocumentSymbol(t.name, `${t.rows.length} row${t.rows.length === 1 ? '' : 's'}`,
        vscode.SymbolKind.Struct, range, lineRange(t.line));
      const title = titleField(t.columns);
      const titleAt = title ? t.columns.indexOf(title) : -1;
      for (const r of t.rows) {
        const id = r.cells[0] ?? '';
        const label = `#${id || '""'}${titleAt > 0 && r.cells[titleAt] ? ` ${r.cells[titleAt]}` : ''}`;
        table.children.push(new vscode.DocumentSymbol(label, `line ${r.line}`, vscode.SymbolKind.Field, lineRange(r.line), lineRange(r.line)));
      }
      symbols.push(table);
    }
    for (const k of outline.keys) {
      symbols.push(new vscode.DocumentSymbol(k.name, '', vscode.SymbolKind.Property, lineRange(k.line), lineRange(k.line)));
    }
    return symbols.sort((a, b) => a.range.start.line - b.range.start.line);
  }
}
