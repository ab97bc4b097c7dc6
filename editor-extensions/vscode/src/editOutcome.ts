// Tells the user what an edit did when it was more than a plain write.
import * as vscode from 'vscode';
import { EditResult, editOutcomeMessage } from './client';

export function reportEditOutcome(database: string, id: string, result: EditResult): void {
  const m = editOutcomeMessage(database, id, result);
  if (!m) return;
  if (!m.warning) {
    void vscode.window.showInformationMessage(m.text);
    return;
  }
  void vscode.window.showWarningMessage(m.text, 'Show Conflicts')
    .then((choice) => { if (choice) void vscode.commands.executeCommand('sdndb.showConflicts'); });
}
