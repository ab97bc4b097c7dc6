// Commands on conflicts: Keep Mine, Keep Theirs, Edit Value, Compare.
import * as vscode from 'vscode';
import { conflictSideUri } from '../conflictValueProvider';
import { CommandContext, guarded, resolveConflict } from './context';

export function registerConflictCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('sdndb.keepMine', guarded(ctx, 'keepMine', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to resolve with my value');
      if (c) await ctx.store.resolveConflict(c.database, c.id, 'ours');
    })),
    vscode.commands.registerCommand('sdndb.keepTheirs', guarded(ctx, 'keepTheirs', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to resolve with their value');
      if (c) await ctx.store.resolveConflict(c.database, c.id, 'theirs');
    })),
    vscode.commands.registerCommand('sdndb.editConflictValue', guarded(ctx, 'editConflictValue', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to resolve with a new value');
      if (!c) return;
      const value = await vscode.window.showInputBox({
        prompt: `${c.database} #${c.record} ${c.field}: mine "${c.ours}", theirs "${c.theirs}", base "${c.base}"`,
        value: c.ours,
      });
      if (value !== undefined) await ctx.store.resolveConflict(c.database, c.id, 'value', value);
    })),
    vscode.commands.registerCommand('sdndb.compareConflict', guarded(ctx, 'compareConflict', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to compare');
      if (!c) return;
      await vscode.commands.executeCommand('vscode.diff',
        conflictSideUri(c.database, c.id, 'ours', 'mine'), conflictSideUri(c.database, c.id, 'theirs', 'theirs'),
        `${c.database} #${c.record} ${c.field}: Mine ↔ Theirs`);
    })),
  ];
}
