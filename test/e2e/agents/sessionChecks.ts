/**
 * Checks both agent suites make on what AgentMonitor shows for one agent session. Each throws an
 * assertion error saying what it saw.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ImportSummary } from '../../../src/core/contracts/api';
import { dashboardShows } from './dashboardProbe';
import { FINAL_ANSWER } from './fakeModelApi';
import { sameMoney, tokenTotals, waitFor, type MonitorClient } from './monitorClient';
import { agentmonitor, describeRun, type Monitor } from './monitorProcess';

export interface SessionUnderTest {
  client: MonitorClient;
  sessionId: string;
  agentType: string;
  project: string;
  model: string;
}

export async function expectSessionShown(s: SessionUnderTest): Promise<void> {
  const detail = await waitFor(`session ${s.sessionId}`, () => s.client.sessionOrUndefined(s.sessionId));
  assert.equal(detail.session.agent_type, s.agentType);
  assert.equal(detail.session.project, s.project);
  const withModel = await waitFor('the session model', async () => {
    const row = (await s.client.session(s.sessionId)).session;
    return row.model ? row : undefined;
  }).catch(async () => (await s.client.session(s.sessionId)).session);
  assert.equal(withModel.model, s.model);
}

export async function expectSessionEnded(s: SessionUnderTest): Promise<void> {
  const ended = await waitFor('session status ended', async () => {
    const row = (await s.client.session(s.sessionId)).session;
    return row.status === 'ended' ? row : undefined;
  }).catch(async () => (await s.client.session(s.sessionId)).session);
  if (ended.status !== 'ended') {
    // Say which events came last (one dated after the end reopens the session).
    const last = (await s.client.events({ session_id: s.sessionId })).slice(0, 8).map((e) => `${e.created_at} ${e.event_type} ${e.source} ${e.event_id ?? ''}`);
    assert.fail(`session ${s.sessionId} is ${ended.status} (ended_at ${ended.ended_at}); its latest events:\n${last.join('\n')}`);
  }
  assert.ok(ended.ended_at, 'ended_at is not set');
}

export async function expectPromptOnce(s: SessionUnderTest, prompt: string): Promise<void> {
  const prompts = (await s.client.transcript(s.sessionId)).filter((e) => e.kind === 'prompt');
  assert.deepEqual(prompts.map((e) => e.text), [prompt], `prompt entries: ${JSON.stringify(prompts)}`);
}

export async function expectFinalAnswer(s: SessionUnderTest): Promise<void> {
  const has = (es: Awaited<ReturnType<MonitorClient['transcript']>>) => es.some((e) => e.kind === 'answer' && e.text?.includes(FINAL_ANSWER));
  const entries = await waitFor('the final answer in the transcript', async () => {
    const es = await s.client.transcript(s.sessionId);
    return has(es) ? es : undefined;
  }).catch(() => s.client.transcript(s.sessionId));
  assert.ok(
    entries.some((e) => e.kind === 'answer' && e.text?.includes(FINAL_ANSWER)),
    `no answer entry with the final answer among: ${JSON.stringify(entries.map((e) => [e.kind, e.event_type, e.text?.slice(0, 60)]))}`,
  );
}

export async function expectDashboardShows(s: SessionUnderTest, monitorUrl: string): Promise<void> {
  const name = path.basename(s.project);
  const look = await dashboardShows(`${monitorUrl}/#/sessions`, [name]);
  assert.ok(look.found, `dashboard does not show ${name}; page text:\n${look.text.slice(0, 2000)}\nerrors: ${look.pageErrors.join('\n')}`);
}

export interface ImportCheck {
  monitor: Monitor;
  userEnv: NodeJS.ProcessEnv;
  /** `--claude-dir DIR` or `--codex-dir DIR`. */
  dirArgs: string[];
  /** The transcript/rollout files the agent wrote. */
  files: string[];
  /** API calls the server already counted (from hooks/OTLP), which the import must recognise. */
  knownCalls: number;
  /** How many tool events the session family holds. */
  countTools(): Promise<number>;
  /** The server follows the logs live, so it may have read the files already. */
  watching: boolean;
}

/**
 * Runs `agentmonitor import` against the running server and checks that it read every file and
 * changed no total.
 */
export async function expectImportChangesNoTotal(client: MonitorClient, c: ImportCheck): Promise<void> {
  const before = await client.stats();
  const tools = await c.countTools();
  const r = await agentmonitor(['import', ...c.dirArgs, '--db', c.monitor.dbPath, '--json'], c.userEnv);
  assert.equal(r.code, 0, describeRun(r));
  const summary = JSON.parse(r.stdout) as ImportSummary;
  assert.equal(summary.files, c.files.length, `import saw ${summary.files} files: ${r.stdout}`);
  if (!c.watching) {
    assert.equal(summary.files_skipped_unchanged, 0, `import skipped files it never read: ${r.stdout}`);
    assert.ok(summary.duplicates >= c.knownCalls, `import recognised only ${summary.duplicates} known events: ${r.stdout}`);
  }
  const after = await client.stats();
  assert.deepEqual(tokenTotals(after.total), tokenTotals(before.total));
  assert.ok(sameMoney(after.total.cost_usd, before.total.cost_usd), `cost moved from ${before.total.cost_usd} to ${after.total.cost_usd}`);
  assert.equal(after.total.requests, before.total.requests);
  assert.equal(after.total.sessions, before.total.sessions);
  assert.equal(await c.countTools(), tools);
}
