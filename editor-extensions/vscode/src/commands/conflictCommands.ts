// Commands on conflicts: Keep Mine, Keep Theirs, Edit Value, Compare.
import * as vscode from 'vscode';
import { ResolveChoice } from '../client';
import { conflictSideUri } from '../conflictValueProvider';
import { CommandContext, guarded, resolveConflict } from './context';

/** The commands that resolve with one side as it is. */
const KEEP: { name: string; choice: ResolveChoice; placeHolder: string }[] = [
  { name: 'keepMine', choice: 'ours', placeHolder: 'Conflict to resolve with my value' },
  { name: 'keepTheirs', choice: 'theirs', placeHolder: 'Conflict to resolve with their value' },
];

export function registerConflictCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    ...KEEP.map(({ name, choice, placeHolder }) =>
      vscode.commands.registerCommand(`sdndb.${name}`, guarded(ctx, name, async (node?: unknown) => {
        const c = await resolveConflict(ctx, node, placeHolder);
        if (c) await ctx.store.resolveConflict(c.database, c.id, choice);
      }))),
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
        conflictSideUri(c, 'ours', 'mine'), conflictSideUri(c, 'theirs', 'theirs'),
        `${c.database} #${c.record} ${c.field === '*' ? 'whole record' : c.field}: Mine ↔ Theirs`);
    })),
  ];
}
