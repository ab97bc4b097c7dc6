// Commands on conflicts: Keep Mine, Keep Theirs, Edit Value, Compare.
import * as vscode from 'vscode';
import { Conflict, ResolveChoice } from '../client';
import { conflictSideUri } from '../conflictValueProvider';
import { CommandContext, guarded, resolveConflict } from './context';

async function resolve(ctx: CommandContext, c: Conflict, choice: ResolveChoice, value?: string) {
  const client = await ctx.supervisor.ready();
  const { record } = await client.resolve({ database: c.database, conflict: c.id, choice, value });
  ctx.log.info(`resolved conflict ${c.id} (${c.database} #${c.record} ${c.field}) with ${choice}`);
  if (record) ctx.store.applyRecord(c.database, record);
  else ctx.store.removeRecord(c.database, c.record);
  await ctx.store.refreshConflicts(c.database);
}

export function registerConflictCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('sdndb.keepMine', guarded(ctx, 'keepMine', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to resolve with my value');
      if (c) await resolve(ctx, c, 'ours');
    })),
    vscode.commands.registerCommand('sdndb.keepTheirs', guarded(ctx, 'keepTheirs', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to resolve with their value');
      if (c) await resolve(ctx, c, 'theirs');
    })),
    vscode.commands.registerCommand('sdndb.editConflictValue', guarded(ctx, 'editConflictValue', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to resolve with a new value');
      if (!c) return;
      const value = await vscode.window.showInputBox({
        prompt: `${c.database} #${c.record} ${c.field}: mine "${c.ours}", theirs "${c.theirs}", base "${c.base}"`,
        value: c.ours,
      });
      if (value !== undefined) await resolve(ctx, c, 'value', value);
    })),
    vscode.commands.registerCommand('sdndb.compareConflict', guarded(ctx, 'compareConflict', async (node?: unknown) => {
      const c = await resolveConflict(ctx, node, 'Conflict to compare');
      if (!c) return;
      await vscode.commands.executeCommand('vscode.diff',
        conflictSideUri(c.id, 'ours', 'mine'), conflictSideUri(c.id, 'theirs', 'theirs'),
        `${c.database} #${c.record} ${c.field}: Mine ↔ Theirs`);
    })),
  ];
}
