// Tells the user what an edit did when it was more than a plain write.
import * as vscode from 'vscode';
import { EditResult } from './client';

export function reportEditOutcome(database: string, id: string, result: EditResult): void {
  if (result.outcome === 'merged') {
    void vscode.window.showInformationMessage(
      `sdndb: ${database} #${id} was also changed elsewhere; the changes were merged (version ${result.record.version}).`);
  } else if (result.outcome === 'conflict') {
    const fields = [...new Set(result.conflicts.map((c) => c.field))].join(', ');
    void vscode.window.showWarningMessage(
      `sdndb: ${database} #${id}: ${fields} was changed elsewhere too. The stored value was kept; ` +
      'resolve the conflict in the Conflicts view.', 'Show Conflicts')
      .then((choice) => { if (choice) void vscode.commands.executeCommand('sdndb.showConflicts'); });
  }
}
