import * as vscode from 'vscode';
import type { LiveConnection } from '../api/liveConnection';
import { AGENTS_VIEW_ID, COMMANDS, CONTEXT_KEYS } from '../ids';
import { Disposable } from '../lifecycle';
import type { NodeView, TreeNode } from '../model/agentsTreeModel';

const TICK_MS = 30_000;

/** The agents tree view: maps the pure tree model onto TreeItems; one repaint per change batch. */
export class AgentsTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  static readonly viewId = AGENTS_VIEW_ID;

  private readonly changeEmitter = this._register(new vscode.EventEmitter<TreeNode | undefined | void>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private view: vscode.TreeView<TreeNode> | null = null;
  private hasData: boolean | null = null;

  constructor(private readonly live: LiveConnection) {
    super();
  }

  register(): this {
    this.view = this._register(vscode.window.createTreeView(AgentsTreeProvider.viewId, { treeDataProvider: this, showCollapseAll: true }));
    this._register(this.live.onDidChange(() => this.repaint()));
    this._register(this.live.onDidChangeStatus(() => this.updateMessage()));
    const timer = setInterval(() => {
      if (this.view?.visible && !this.live.model.isEmpty) this.changeEmitter.fire();
    }, TICK_MS);
    this._register({ dispose: () => clearInterval(timer) });
    this.updateMessage();
    return this;
  }

  repaint(): void {
    this.changeEmitter.fire();
    this.updateMessage();
    const has = this.live.hasData;
    if (has !== this.hasData) {
      this.hasData = has;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasData, has);
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const model = this.live.model;
    if (!node) return model.roots();
    if (node.kind === 'session' && !model.hasActivity(node.sessionId)) await this.live.loadActivity(node.sessionId);
    return model.children(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const v = this.live.model.view(node, Date.now());
    if (!v) return new vscode.TreeItem('(gone)');
    return toTreeItem(v, node);
  }

  private updateMessage(): void {
    if (!this.view) return;
    const s = this.live.status;
    if (s.state === 'connected') this.view.message = undefined;
    else if (s.message) this.view.message = s.message;
    else this.view.message = s.state === 'connecting' ? 'Connecting to the AgentMonitor server…' : 'The AgentMonitor server is not running.';
    const active = this.live.stats?.active_sessions ?? 0;
    const waiting = this.live.model.waiting().length;
    this.view.badge = waiting
      ? { value: waiting, tooltip: `${waiting} agent${waiting === 1 ? '' : 's'} waiting for you` }
      : active
        ? { value: active, tooltip: `${active} active agent session${active === 1 ? '' : 's'}` }
        : undefined;
  }
}

function toTreeItem(v: NodeView, node: TreeNode): vscode.TreeItem {
  const state =
    v.collapsible === 'none'
      ? vscode.TreeItemCollapsibleState.None
      : v.collapsible === 'expanded'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(v.label, state);
  item.id = v.id;
  item.description = v.description;
  if (v.tooltip) {
    const md = new vscode.MarkdownString(v.tooltip);
    md.supportHtml = false;
    md.isTrusted = false;
    item.tooltip = md;
  }
  item.iconPath = new vscode.ThemeIcon(v.icon.id, v.icon.color ? new vscode.ThemeColor(v.icon.color) : undefined);
  item.contextValue = v.contextValue;
  if (node.kind === 'more') item.command = { command: COMMANDS.openSessionInDashboard, title: 'Open in Dashboard', arguments: [{ kind: 'session', sessionId: node.sessionId }] };
  return item;
}
