// View and server commands: refresh, filter, group by, show conflicts, restart, log, settings.
import * as vscode from 'vscode';
import { GroupBy, GROUP_BYS } from '../client';
import { SECTION } from '../config';
import { CommandContext, guarded } from './context';

export function registerViewCommands(ctx: CommandContext): vscode.Disposable[] {
  // With a filter the welcome view stays hidden (it would claim there are no databases): the
  // message says what is filtered, and when nothing matches.
  const showFilter = () => {
    const text = ctx.records.filter;
    ctx.recordsView.message = !text ? undefined
      : ctx.records.hasVisibleRecords ? `Filter: ${text}` : `Filter: ${text} — no records match.`;
  };
  const setFilter = (text: string) => {
    ctx.records.filter = text; // fires onDidChangeTreeData: showFilter
    void vscode.commands.executeCommand('setContext', 'sdndb.filterActive', !!ctx.records.filter);
  };
  return [
    ctx.records.onDidChangeTreeData(showFilter),
    vscode.commands.registerCommand('sdndb.refresh', guarded(ctx, 'refresh', async () => {
      if (ctx.supervisor.state !== 'running') await ctx.supervisor.restart();
      else await ctx.store.refreshAll();
    })),
    vscode.commands.registerCommand('sdndb.filter', guarded(ctx, 'filter', async () => {
      const text = await vscode.window.showInputBox({
        prompt: 'Show records containing all these words (any field; field:value narrows to one field)',
        placeHolder: 'e.g. parser P0   or   status:open',
        value: ctx.records.filter,
      });
      if (text !== undefined) setFilter(text);
    })),
    vscode.commands.registerCommand('sdndb.clearFilter', () => setFilter('')),
    vscode.commands.registerCommand('sdndb.groupBy', guarded(ctx, 'groupBy', async () => {
      const pick = await vscode.window.showQuickPick(GROUP_BYS.map((g) => ({
        label: g, description: g === ctx.records.groupBy ? '(current)' : undefined,
      })), { placeHolder: 'Group records by' });
      if (!pick) return;
      ctx.records.groupBy = pick.label as GroupBy;
      await vscode.workspace.getConfiguration(SECTION).update('groupBy', pick.label, vscode.ConfigurationTarget.Global);
    })),
    vscode.commands.registerCommand('sdndb.showConflicts', guarded(ctx, 'showConflicts', async () => {
      await vscode.commands.executeCommand('sdndb.conflicts.focus');
    })),
    vscode.commands.registerCommand('sdndb.restartServer', guarded(ctx, 'restartServer', async () => {
      await ctx.supervisor.restart();
    })),
    vscode.commands.registerCommand('sdndb.showLog', () => ctx.log.show(true)),
    vscode.commands.registerCommand('sdndb.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:sdndb.sdndb-vscode`)),
  ];
}
