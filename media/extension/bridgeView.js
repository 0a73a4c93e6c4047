// Shown in the dashboard panel only while the Preact dashboard (dist/webview.js) is not built:
// renders what the host bridge sends, using the protocol of src/core/contracts/webview.ts.
(function () {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app');
  const h = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const title = h('h1', '', 'AgentMonitor');
  const conn = h('p', 'conn', 'connecting…');
  const stats = h('pre', 'stats', '');
  const log = h('ol', 'log');
  root.append(title, conn, h('h2', '', 'Today'), stats, h('h2', '', 'Live messages'), log);
  let nextId = 1;
  const loadStats = () => vscode.postMessage({ type: 'api_get', request_id: nextId++, path: '/api/stats' });
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'connection') {
      conn.textContent = m.state + (m.server_url ? ' · ' + m.server_url : '') + (m.message ? ' · ' + m.message : '');
      if (m.state === 'connected') loadStats();
    } else if (m.type === 'api_response') {
      stats.textContent = m.ok && m.body && m.body.today ? JSON.stringify(m.body.today, null, 2) : 'error: ' + (m.error || m.status);
    } else if (m.type === 'sse') {
      const li = h('li', '', m.message.type + ' ' + JSON.stringify(m.message).slice(0, 300));
      log.prepend(li);
      while (log.childElementCount > 100) log.lastElementChild.remove();
      if (m.message.type === 'stats' && m.message.stats) stats.textContent = JSON.stringify(m.message.stats.today, null, 2);
    } else if (m.type === 'resync') {
      loadStats();
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
