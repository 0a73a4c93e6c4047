import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';
import { Disposable, Emitter } from './lifecycle';
import { readSettings, type ExtensionSettings } from './settings';

export interface SettingsChange {
  previous: ExtensionSettings;
  current: ExtensionSettings;
}

/** Typed `agentMonitor.*` settings, re-read only when that section changes. */
export class ConfigService extends Disposable {
  private value: ExtensionSettings = ConfigService.read();
  private readonly emitter = this._register(new Emitter<SettingsChange>());
  readonly onDidChange = this.emitter.event;

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        const previous = this.value;
        this.value = ConfigService.read();
        this.emitter.fire({ previous, current: this.value });
      }),
    );
  }

  get settings(): ExtensionSettings {
    return this.value;
  }

  private static read(): ExtensionSettings {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    return readSettings((k) => cfg.get(k));
  }
}
