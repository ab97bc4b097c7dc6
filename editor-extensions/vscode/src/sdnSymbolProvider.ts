// The outline of `.sdn` files: each named table with its records (labelled by the address the server
// gives them — key or @N — and a title), and the other top-level keys.
import * as vscode from 'vscode';
import { recordSymbolLabel, rowAddresses, sdnOutline } from './client';

export class SdnSymbolProvider implements vscode.DocumentSymbolProvider {
  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const outline = sdnOutline(doc.getText());
    const lineRange = (line: number) => doc.lineAt(Math.min(line - 1, doc.lineCount - 1)).range;
    const symbols: vscode.DocumentSymbol[] = [];
    for (const t of outline.tables) {
      const range = new vscode.Range(lineRange(t.line).start, lineRange(t.endLine).end);
      const table = new vscode.DocumentSymbol(t.name, `${t.rows.length} row${t.rows.length === 1 ? '' : 's'}`,
        vscode.SymbolKind.Struct, range, lineRange(t.line));
      const addresses = rowAddresses(t);
      t.rows.forEach((r, i) => {
        const label = recordSymbolLabel(t, r, addresses[i]);
        table.children.push(new vscode.DocumentSymbol(label, `line ${r.line}`, vscode.SymbolKind.Field, lineRange(r.line), lineRange(r.line)));
      });
      symbols.push(table);
    }
    for (const k of outline.keys) {
      symbols.push(new vscode.DocumentSymbol(k.name, '', vscode.SymbolKind.Property, lineRange(k.line), lineRange(k.line)));
    }
    return symbols.sort((a, b) => a.range.start.line - b.range.start.line);
  }
}
