import type * as vscode from 'vscode';
import { Container } from './container';

let container: Container | null = null;

export function activate(context: vscode.ExtensionContext): void {
  container = new Container(context);
  context.subscriptions.push(container);
  container.start();
}

export async function deactivate(): Promise<void> {
  const c = container;
  container = null;
  await c?.shutdown();
}
