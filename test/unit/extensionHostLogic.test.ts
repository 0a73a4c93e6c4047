import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashTracker } from '../../src/extension/server/backoff';
import { DEFAULT_SETTINGS, readSettings, serverEnv, serverSettingsChanged, baseUrl } from '../../src/extension/settings';
import { UpdateCoalescer, type ChangeBatch, type Timers } from '../../src/extension/model/updateCoalescer';
import { SseParser, parseSseMessage } from '../../src/extension/api/sseClient';
import { buildQuery, isAllowedApiPath } from '../../src/extension/api/apiClient';

test('crash tracker: exponential backoff, reset after a stable run, give up after a storm', () => {
  const t = new CrashTracker({ initialMs: 100, maxMs: 1000, factor: 2, maxCrashes: 4, windowMs: 60_000, stableAfterMs: 10_000 });
  assert.deepEqual(t.onCrash(0, null), { action: 'restart', delayMs: 100, attempt: 1 });
  assert.deepEqual(t.onCrash(1000, 500), { action: 'restart', delayMs: 200, attempt: 2 });
  assert.deepEqual(t.onCrash(2000, 1500), { action: 'restart', delayMs: 400, attempt: 3 });
  assert.deepEqual(t.onCrash(3000, 2500), { action: 'give-up', crashes: 4 });
  const u = new CrashTracker({ initialMs: 100, maxMs: 1000, factor: 2, maxCrashes: 3, windowMs: 5_000, stableAfterMs: 10_000 });
  u.onCrash(0, null);
  u.onCrash(1000, 900);
  // long stable run: backoff resets and old crashes fall out of the window
  assert.deepEqual(u.onCrash(100_000, 50_000), { action: 'restart', delayMs: 100, attempt: 1 });
  const capped = new CrashTracker({ initialMs: 400, maxMs: 1000, factor: 4, maxCrashes: 99, windowMs: 1, stableAfterMs: 1e9 });
  capped.onCrash(0, null);
  assert.equal((capped.onCrash(10, 5) as { delayMs: number }).delayMs, 1000);
});

test('settings: defaults on bad values, mapped onto AGENTMONITOR_* env', () => {
  const values: Record<string, unknown> = { port: 4000, host: ' 127.0.0.1 ', dbPath: '/tmp/x.db', token: 's3cret', maxPayloadKb: -5, claudeConfigDirs: ['/a', '', 7, '/b'], codexHome: '/c', geminiCliHome: ' /g ', copilotHome: '/p', opencodeDataHome: '/o', watchLogs: false, storeThinking: false, dailyBudgetUsd: 25 };
  const s = readSettings((k) => values[k]);
  assert.equal(s.port, 4000);
  assert.equal(s.host, '127.0.0.1');
  assert.equal(s.maxPayloadKb, DEFAULT_SETTINGS.maxPayloadKb);
  assert.deepEqual(s.agentFolders, { claudeConfigDirs: ['/a', '/b'], codexHome: ['/c'], geminiCliHome: ['/g'], copilotHome: ['/p'], opencodeDataHome: ['/o'] });
  const env = serverEnv(s, { PATH: '/bin', AGENTMONITOR_TOKEN: 'old', NODE_OPTIONS: '--inspect' });
  assert.equal(env.PATH, '/bin');
  assert.equal(env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(env.NODE_OPTIONS, undefined);
  assert.equal(env.AGENTMONITOR_PORT, '4000');
  assert.equal(env.AGENTMONITOR_DB_PATH, '/tmp/x.db');
  assert.equal(env.AGENTMONITOR_TOKEN, 's3cret');
  assert.equal(env.CLAUDE_CONFIG_DIR, '/a,/b');
  assert.equal(env.CODEX_HOME, '/c');
  assert.deepEqual([env.GEMINI_CLI_HOME, env.COPILOT_HOME, env.XDG_DATA_HOME], ['/g', '/p', '/o']);
  assert.equal(env.AGENTMONITOR_WATCH, '0');
  assert.equal(env.AGENTMONITOR_THINKING, '0');
  assert.equal(env.AGENTMONITOR_DAILY_BUDGET_USD, '25');
  const d = readSettings(() => undefined);
  assert.deepEqual(d, DEFAULT_SETTINGS);
  const denv = serverEnv(d, { AGENTMONITOR_TOKEN: 'inherited' });
  assert.equal(denv.AGENTMONITOR_TOKEN, undefined, 'an empty token setting clears an inherited one');
  assert.equal(denv.AGENTMONITOR_DB_PATH, undefined);
  assert.equal(denv.AGENTMONITOR_THINKING, '1');
  assert.equal(serverSettingsChanged(d, { ...d, showStatusBar: false }), false);
  assert.equal(serverSettingsChanged(d, { ...d, port: 1 }), true);
  assert.equal(baseUrl({ host: '::1', port: 5 }), 'http://[::1]:5');
});

class FakeTimers implements Timers {
  t = 0;
  private q: { at: number; fn: () => void; id: number }[] = [];
  private n = 0;
  set(fn: () => void, ms: number) {
    const id = ++this.n;
    this.q.push({ at: this.t + ms, fn, id });
    return id;
  }
  clear(h: unknown) {
    this.q = this.q.filter((x) => x.id !== h);
  }
  advance(ms: number) {
    this.t += ms;
    for (const x of this.q.filter((x) => x.at <= this.t)) {
      this.clear(x.id);
      x.fn();
    }
  }
}

test('coalescer: a burst becomes one batch; a steady stream still flushes by the max delay', () => {
  const timers = new FakeTimers();
  const batches: ChangeBatch[] = [];
  const c = new UpdateCoalescer((b) => batches.push(b), 100, 500, timers, () => timers.t);
  for (let i = 0; i < 1000; i++) c.session(`s${i % 10}`);
  c.stats();
  c.activity('s1');
  assert.equal(batches.length, 0);
  timers.advance(100);
  assert.equal(batches.length, 1);
  assert.equal(batches[0]!.sessions.size, 10);
  assert.equal(batches[0]!.stats, true);
  assert.deepEqual([...batches[0]!.activity], ['s1']);
  for (let i = 0; i < 20; i++) {
    c.session('x');
    timers.advance(50);
  }
  assert.equal(batches.length, 3, 'flushed at 500 ms and 1000 ms despite no quiet gap');
  c.dispose();
  timers.advance(1000);
  assert.equal(batches.length, 3);
});

test('SSE parser: frames split across chunks, CRLF, comments, multi-line data', () => {
  const frames: [string, string][] = [];
  const p = new SseParser((e, d) => frames.push([e, d]));
  p.push(': heartbeat\n\nevent: stats\r\ndata: {"type":"st');
  p.push('ats"}\r\n\r\ndata: a\ndata: b\n\n');
  assert.deepEqual(frames, [
    ['stats', '{"type":"stats"}'],
    ['message', 'a\nb'],
  ]);
  assert.deepEqual(parseSseMessage('hello', '{"type":"hello","server_version":"1","at":"x"}'), { type: 'hello', server_version: '1', at: 'x' });
  assert.equal(parseSseMessage('hello', '{"type":"event"}'), null);
  assert.equal(parseSseMessage('bogus', '{"type":"bogus"}'), null);
  assert.equal(parseSseMessage('stats', '{not json'), null);
});

test('webview API proxy: only read paths under /api, queries with repeated keys', () => {
  assert.equal(isAllowedApiPath('/api/stats/cost'), true);
  assert.equal(isAllowedApiPath('/api/sessions/abc%2F1'), true);
  assert.equal(isAllowedApiPath('/api/../etc'), false);
  assert.equal(isAllowedApiPath('http://evil/api'), false);
  assert.equal(isAllowedApiPath('/api/stream'), false);
  assert.equal(buildQuery({ agent_type: ['a', 'b'], limit: 5, x: undefined }), '?agent_type=a&agent_type=b&limit=5');
  assert.equal(buildQuery({}), '');
});

test('CSV cells: quoting, embedded newlines, formula neutralizing', async () => {
  const { csvCell } = await import('../../src/extension/api/exporter');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(12.5), '12.5');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"\nbye'), '"say ""hi""\nbye"');
  assert.equal(csvCell('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
  assert.equal(csvCell(-3), '-3', 'numbers are not neutralized');
});

test('Codex telemetry: create, append, already there, or leave a foreign [otel] table alone', async () => {
  const { planCodexTelemetry } = await import('../../src/extension/model/codexTelemetry');
  const { codexOtelConfig, otelEndpoint } = await import('../../src/core/otel/codexConfigSnippet');
  const t = { port: 4100 };
  const snippet = codexOtelConfig(t);
  const ep = otelEndpoint(t);
  assert.deepEqual(planCodexTelemetry(null, snippet, ep), { action: 'create', text: snippet });
  const existing = 'model = "gpt-5"\n\n[features]\nhooks = true';
  const appended = planCodexTelemetry(existing, snippet, ep);
  assert.equal(appended.action, 'append');
  assert.ok((appended as { text: string }).text.startsWith(`${existing}\n\n# AgentMonitor`), 'existing content kept verbatim');
  assert.match((appended as { text: string }).text, /endpoint = "http:\/\/127\.0\.0\.1:4100\/api\/otel\/v1\/logs"/);
  assert.deepEqual(planCodexTelemetry(`${existing}\n${snippet}`, snippet, ep), { action: 'already' });
  assert.equal(planCodexTelemetry('[otel]\nexporter = "none"\n', snippet, ep).action, 'conflict');
  assert.equal(planCodexTelemetry('otel.exporter = "none"\n', snippet, ep).action, 'conflict');
  assert.equal(planCodexTelemetry('[otel.exporter]\n', snippet, ep).action, 'conflict');
  assert.equal(planCodexTelemetry('# [otel] mentioned in a comment\nmodel = "x"\n', snippet, ep).action, 'append');
});
