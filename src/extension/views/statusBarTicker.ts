import * as vscode from 'vscode';
import type { LiveConnection } from '../api/liveConnection';
import type { ConfigService } from '../configService';
import { COMMANDS } from '../ids';
import { Disposable } from '../lifecycle';
import { formatUsd } from '../model/format';
import { dayKey, tickerView } from '../model/statusText';
import type { ServerSupervisor } from '../server/supervisor';

const BUDGET_NOTIFIED_KEY = 'agentMonitor.budgetNotifiedDay';

/** `$(pulse) $12.34 · 2 active · $(bell-dot) 1 waiting`; warning colour over budget (notified once a day); error state with actions. */
export class StatusBarTicker extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('agentMonitor.ticker', vscode.StatusBarAlignment.Right, 100));

  constructor(
    private readonly live: LiveConnection,
    private readonly supervisor: ServerSupervisor,
    private readonly config: ConfigService,
    private readonly globalState: vscode.Memento,
  ) {
    super();
    this.item.name = 'AgentMonitor';
  }

  register(): this {
    this._register(this.live.onDidChange(() => this.update()));
    this._register(this.supervisor.onDidChangeState(() => this.update()));
    this._register(this.config.onDidChange(() => this.update()));
    this.update();
    return this;
  }

  update(): void {
    const settings = this.config.settings;
    if (!settings.showStatusBar) {
      this.item.hide();
      return;
    }
    const budget = settings.dailyBudgetUsd > 0 ? settings.dailyBudgetUsd : null;
    const state = this.supervisor.state;
    const v = tickerView(state, this.live.stats, this.live.byModel, budget, this.live.model.waiting(), this.live.rateLimits);
    this.item.text = v.text;
    const md = new vscode.MarkdownString(v.tooltip);
    md.isTrusted = false;
    this.item.tooltip = md;
    this.item.backgroundColor =
      v.background === 'warning'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : v.background === 'error'
          ? new vscode.ThemeColor('statusBarItem.errorBackground')
          : undefined;
    this.item.command = state.kind === 'failed' || state.kind === 'foreign' ? COMMANDS.showServerActions : COMMANDS.openDashboard;
    this.item.accessibilityInformation = { label: `AgentMonitor: ${v.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.item.show();
    if (v.overBudget && budget) void this.notifyBudget(this.live.stats?.today.cost_usd ?? 0, budget);
  }

  private async notifyBudget(cost: number, budget: number): Promise<void> {
    const today = dayKey(Date.now());
    if (this.globalState.get<string>(BUDGET_NOTIFIED_KEY) === today) return;
    await this.globalState.update(BUDGET_NOTIFIED_KEY, today);
    const pick = await vscode.window.showWarningMessage(
      `AgentMonitor: today's agent cost ${formatUsd(cost)} is over your daily budget of ${formatUsd(budget)}.`,
      'Open Dashboard',
    );
    if (pick) void vscode.commands.executeCommand(COMMANDS.openDashboard);
  }
}
