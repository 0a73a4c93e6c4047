/**
 * The dashboard panel after a port change (issue 19): the page's setup text shows the server URL
 * from its initial state, so the host loads the page again when the connection moves to another
 * URL, and never renders it without one. A fake `vscode` records the panel's HTML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { INITIAL_STATE_ELEMENT_ID } from '../../src/core/contracts/webview';
import { fakeVscode, installFakeVscode, panels } from '../helpers/fakeVscode';

installFakeVscode();

interface Status {
  state: 'connected' | 'connecting' | 'disconnected';
  url?: string;
}

/** The parts of LiveConnection the panel host uses. */
function live(initial: Status) {
  let onStatus: () => void = () => {};
  const l = {
    status: initial,
    client: null,
    onMessage: () => ({ dispose() {} }),
    onDidChangeStatus: (cb: () => void) => ((onStatus = cb), { dispose() {} }),
    set(s: Status) {
      l.status = s;
      onStatus();
    },
  };
  return l;
}

function serverUrlIn(html: string): string | undefined {
  const m = new RegExp(`id="${INITIAL_STATE_ELEMENT_ID}">([^<]*)<`).exec(html);
  assert.ok(m, 'the page carries its initial state');
  return (JSON.parse(m[1]!.replace(/\\u003c/g, '<')) as { server_url?: string }).server_url;
}

test('a port change loads the open dashboard again with the new URL; a reconnect to the same URL does not', async () => {
  const { DashboardPanelHost } = await import('../../src/extension/panel/dashboardPanel');
  const l = live({ state: 'connecting' });
  const host = new DashboardPanelHost(fakeVscode.Uri.file(path.resolve(__dirname, '../..')) as never, l as never, () => 'http://127.0.0.1:3142');
  host.register();
  host.show();
  const panel = panels.at(-1)!;
  assert.equal(serverUrlIn(panel.webview.html), 'http://127.0.0.1:3142', 'before the first connection: the configured URL');
  panel.receive({ type: 'ready' });
  l.set({ state: 'connected', url: 'http://127.0.0.1:3142' });
  const first = panel.webview.html;
  l.set({ state: 'connecting', url: 'http://127.0.0.1:3142' });
  l.set({ state: 'connected', url: 'http://127.0.0.1:3142' });
  assert.equal(panel.webview.html, first, 'same URL: the page stays, it gets connection messages');
  assert.ok(panel.webview.posted.some((m) => (m as { type: string }).type === 'connection'));
  l.set({ state: 'connecting', url: 'http://127.0.0.1:4242' });
  assert.equal(serverUrlIn(panel.webview.html), 'http://127.0.0.1:4242', 'the page is loaded again with the new URL');
  host.dispose();
});
