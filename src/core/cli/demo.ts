/**
 * `agentmonitor demo [--db PATH] [--days N] [--seed N] [--scale N | --events N] [--live] [--rate N]
 * [--server URL]`: fills a database with a realistic week of multi-agent activity through the
 * normal ingest path (so pricing, sessions and rollups are computed exactly as for real agents),
 * and with `--live` keeps a trickle of new events going. When a server owns the database (or `--server` is given) the
 * events are POSTed to it; otherwise the database is opened directly, and `--live` starts a server
 * on it so the dashboard can be watched.
 *
 * Event ids are derived from the seed, so running it twice stores everything once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventInputRaw } from '../contracts/events';
import { validateEvent, type EventInput } from '../contracts/events';
import { channelEventId, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { loadConfig, type ServerConfig } from '../config';
import { stderrLogger } from '../log';
import { openCore } from '../runtime';
import { lockUrl, probeOwner } from '../server/lockFile';
import { startServer } from '../server/server';
import type { IngestSink } from '../ingest/types';
import { parseArgs, UsageError } from './args';
import { databaseFiles, DEMO_PORT, demoDbPath, realSessionInFile, realSessionOnServer, refuseRealData, serveCommandFor } from './demoDatabase';

const HELP = `Usage: agentmonitor demo [options]

Fills a demo database with a realistic week of Claude Code, Codex and custom-agent activity. Demo
data never goes into your real database unless you say so: it has its own database and port.

Options:
  --db PATH       database file (default ~/.agentmonitor/demo.db; AGENTMONITOR_DB_PATH is not used)
  --mix-with-real-data
                  allow writing demo data into a database that holds real sessions (--db)
  --remove        delete the demo database (--db: that one) instead of filling it; refuses a
                  database that holds real sessions
  --days N        days of history (default 7, at most 60)
  --seed N        random seed (default 1); the same seed gives the same events and ids
  --live          keep adding events in real time until interrupted (starts a server on the
                  database when none is running, so the dashboard shows them)
  --rate N        live events per second (default 2, at most 1000)
  --scale N       sessions per day multiplier (default 1)
  --events N      about N stored events (at least N, at most 2 % more) over --days: picks --scale
  --port PORT     port of the server --live starts (default ${DEMO_PORT}; 3142 stays the real server's)
  --server URL    send events to this running server instead of opening the database

Show the demo database: agentmonitor serve --demo (http://127.0.0.1:${DEMO_PORT}/).
Remove it: agentmonitor demo --remove.
`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface AgentProfile {
  agent_type: string;
  models: { name: string; weight: number }[];
  tools: string[];
  weight: number;
}

const AGENTS: AgentProfile[] = [
  {
    agent_type: 'claude-code',
    weight: 6,
    models: [
      { name: 'claude-sonnet-4-5-20250929', weight: 6 },
      { name: 'claude-opus-4-5-20251101', weight: 2 },
      { name: 'claude-haiku-4-5-20251001', weight: 2 },
    ],
    tools: ['Read', 'Read', 'Read', 'Edit', 'Edit', 'Bash', 'Bash', 'Grep', 'Glob', 'Write', 'TodoWrite', 'WebFetch'],
  },
  {
    agent_type: 'codex',
    weight: 3,
    models: [
      { name: 'gpt-5-codex', weight: 3 },
      { name: 'gpt-5.1-codex', weight: 2 },
    ],
    tools: ['shell', 'shell', 'shell', 'apply_patch', 'apply_patch', 'read_file', 'web_search'],
  },
  {
    agent_type: 'review-bot',
    weight: 1,
    models: [{ name: 'local-llama-3.1-70b', weight: 1 }],
    tools: ['git_diff', 'read_file', 'comment'],
  },
];

const PROJECTS = [
  { project: '/home/dev/src/webshop', branches: ['main', 'feat/checkout-v2', 'fix/cart-rounding'] },
  { project: '/home/dev/src/api-gateway', branches: ['main', 'feat/rate-limits'] },
  { project: '/home/dev/src/ml-pipeline', branches: ['main', 'exp/feature-store'] },
  { project: '/home/dev/src/docs-site', branches: ['main'] },
];

const PROMPTS = [
  'Add input validation to the checkout form and cover it with tests',
  'Why does the cart total round differently on the server? Fix it.',
  'Refactor the rate limiter to use a sliding window',
  'Write a migration that adds an index on orders(created_at)',
  'The CI job for the feature store is flaky, find out why',
  'Explain how the auth middleware decides which routes are public',
  'Update the docs for the new pagination parameters',
  'Bump the dependencies and fix whatever breaks',
  'Add a retry with backoff around the payment provider call',
  'Split the 900-line OrderService into smaller modules',
];

const ANSWERS = [
  'Done. I added the validation in `CheckoutForm.tsx` and 6 tests; all pass.',
  'The server rounds each line item before summing; the client rounds the total. I switched both to integer cents.',
  'The limiter now keeps per-key timestamps in a ring buffer; the old fixed window is gone.',
  'Migration added and applied locally; the slow query now uses the index (EXPLAIN shows SEARCH USING INDEX).',
  'The flake came from a test that depends on wall-clock time; it now uses a fake clock.',
  'Routes are public when they carry the `@Public()` decorator; everything else goes through `requireSession`.',
];

const TOOL_INPUTS: Record<string, () => Record<string, unknown>> = {
  Read: () => ({ file_path: 'src/cart/total.ts' }),
  Edit: () => ({ file_path: 'src/cart/total.ts', old_string: 'Math.round(sum)', new_string: 'sumCents(items)' }),
  Write: () => ({ file_path: 'test/cart/total.test.ts' }),
  Bash: () => ({ command: 'npm test -- --run cart' }),
  Grep: () => ({ pattern: 'roundTotal', path: 'src' }),
  Glob: () => ({ pattern: 'src/**/*.ts' }),
  TodoWrite: () => ({ todos: [{ content: 'fix rounding', status: 'in_progress' }] }),
  WebFetch: () => ({ url: 'https://developer.mozilla.org/en-US/docs/Web/API/Intl' }),
  shell: () => ({ command: 'cargo test -p gateway' }),
  apply_patch: () => ({ command: '*** Begin Patch\n*** Update File: src/limiter.rs' }),
  read_file: () => ({ file_path: 'src/limiter.rs' }),
  web_search: () => ({ query: 'sliding window rate limiter redis' }),
  git_diff: () => ({ command: 'git diff main...HEAD' }),
  comment: () => ({ text: 'Consider extracting this into a helper.' }),
};

/** Durations per tool: median ms. */
const TOOL_MEDIAN_MS: Record<string, number> = { Bash: 4000, shell: 5000, WebFetch: 1500, web_search: 2000, Read: 40, read_file: 40, Edit: 60, apply_patch: 80 };

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function weighted<T extends { weight: number }>(r: () => number, xs: readonly T[]): T {
  const total = xs.reduce((s, x) => s + x.weight, 0);
  let v = r() * total;
  for (const x of xs) if ((v -= x.weight) < 0) return x;
  return xs[xs.length - 1];
}

/** Log-normal-ish positive value around `median`. */
function around(r: () => number, median: number, spread = 1): number {
  const u = Math.max(1e-9, r());
  const v = Math.max(1e-9, r());
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(1, Math.round(median * Math.exp(z * 0.6 * spread)));
}

export interface SessionPlan {
  session_id: string;
  agent: AgentProfile;
  project: string;
  branch: string;
  start: number;
  /** Active sessions get no session_end and their last events are close to `now`. */
  open: boolean;
  /** Subagent sessions: one or two turns, no further subagents. */
  child?: boolean;
}

interface Emit {
  (e: EventInputRaw): void;
}

/** When a session's events stop, and whether it finished (false: cut off at `until`, still going). */
export interface SessionEnd {
  at: number;
  finished: boolean;
}

/**
 * One session's events from `plan.start`, none after `until` (agents do not report the future). A
 * step that would end after `until` cuts the session off there: an open session is still working
 * at `until`, and a tool call is only started when its completion fits too, so none stays
 * `running` for ever.
 */
export function sessionEvents(plan: SessionPlan, r: () => number, seed: number, until: number, emit: Emit): SessionEnd {
  const { session_id, agent, project, branch } = plan;
  const agent_type = agent.agent_type;
  const model = weighted(r, agent.models).name;
  let t = plan.start;
  let n = 0;
  let cut = false;
  /** Move the clock on by `dt`, unless that passes `until`: then the session is cut off. */
  const advance = (dt: number): boolean => {
    if (cut || t + dt > until) return !(cut = true);
    t += dt;
    return true;
  };
  const base = { session_id, agent_type, project, branch, source: 'api' as const };
  const at = () => new Date(t).toISOString();
  const id = (kind: string) => channelEventId(kind, agent_type, session_id, `demo${seed}-${n++}`);
  if (t > until) return { at: t, finished: false };
  emit({ ...base, event_type: 'session_start', event_id: id('start'), model, client_timestamp: at(), metadata: { source: 'startup', cwd: project } });
  const turns = plan.open ? Infinity : plan.child ? 1 + Math.floor(r() * 2) : 3 + Math.floor(r() * 12);
  let cache = 8000 + Math.floor(r() * 12000);
  for (let turn = 0; turn < turns && advance(around(r, 40_000)); turn++) {
    emit({ ...base, event_type: 'user_prompt', event_id: id('prompt'), client_timestamp: at(), metadata: { prompt: pick(r, PROMPTS) } });
    const steps = 2 + Math.floor(r() * 12);
    for (let s = 0; s < steps && advance(around(r, 6000)); s++) {
      const out = around(r, 400);
      const input = around(r, 60);
      const write = r() < 0.3 ? around(r, 3000) : 0;
      emit({
        ...base,
        event_type: 'llm_request',
        event_id: llmRequestEventId(agent_type, `demo${seed}-${session_id}-${n++}`),
        model,
        tokens_in: input,
        tokens_out: out,
        cache_read_tokens: cache,
        cache_write_tokens: write,
        duration_ms: around(r, 3500),
        client_timestamp: at(),
      });
      cache += write + input + out;
      if (agent_type === 'codex' && r() < 0.3) {
        emit({
          ...base,
          event_type: 'rate_limit',
          event_id: id('rl'),
          client_timestamp: at(),
          metadata: {
            rate_limits: [
              { window: 'primary', used_percent: Math.min(99, 5 + ((t / HOUR) % 5) * 15 + r() * 5), window_minutes: 300, resets_at: Math.ceil(t / (5 * HOUR)) * 5 * HOUR },
              { window: 'secondary', used_percent: Math.min(99, 10 + ((t / DAY) % 7) * 9), window_minutes: 10080, resets_at: Math.ceil(t / (7 * DAY)) * 7 * DAY },
            ],
          },
        });
      }
      if (r() < 0.8) {
        const tool = pick(r, agent.tools);
        const duration = around(r, TOOL_MEDIAN_MS[tool] ?? 300);
        const failed = r() < (tool === 'Bash' || tool === 'shell' ? 0.12 : 0.03);
        const toolId = toolEventId(agent_type, `demo${seed}-${session_id}-${n++}`);
        const input = (TOOL_INPUTS[tool] ?? (() => ({})))();
        const startedAt = at();
        if (!advance(duration)) break;
        emit({ ...base, event_type: 'tool_use', event_id: toolId, tool_name: tool, status: 'running', client_timestamp: startedAt, metadata: { tool_input: input } });
        emit({
          ...base,
          event_type: 'tool_use',
          event_id: toolId,
          tool_name: tool,
          status: failed ? 'error' : 'success',
          duration_ms: duration,
          client_timestamp: at(),
          metadata: failed ? { tool_input: input, error: 'exit code 1: 2 tests failed' } : { tool_input: input, tool_response: 'ok' },
        });
      }
      if (agent_type === 'claude-code' && !plan.child && r() < 0.04) {
        const sub = subagent(plan, r, seed, t, until, emit, () => id('sub'));
        t = sub.at;
        if (!sub.finished) cut = true;
      }
    }
    if (!advance(around(r, 3000))) break;
    emit({ ...base, event_type: 'response', event_id: id('answer'), model, client_timestamp: at(), metadata: { text: pick(r, ANSWERS) } });
    if (cache > 150_000 && r() < 0.5) {
      emit({ ...base, event_type: 'compaction', event_id: id('compact'), client_timestamp: at(), metadata: { trigger: 'auto' } });
      cache = 20_000;
    }
  }
  if (plan.open || !advance(around(r, 20_000))) return { at: t, finished: false };
  emit({ ...base, event_type: 'session_end', event_id: id('end'), client_timestamp: at(), metadata: { reason: 'prompt_input_exit' } });
  return { at: t, finished: true };
}

function subagent(plan: SessionPlan, r: () => number, seed: number, t0: number, until: number, emit: Emit, nextId: () => string): SessionEnd {
  const child = `${plan.session_id}-sub${Math.floor(r() * 1e6)}`;
  const base = { session_id: plan.session_id, agent_type: plan.agent.agent_type, project: plan.project, branch: plan.branch };
  emit({ ...base, event_type: 'subagent_start', event_id: nextId(), client_timestamp: new Date(t0).toISOString(), metadata: { child_session_id: child, subagent_type: 'Explore', description: 'Find every caller of roundTotal' } });
  const end = sessionEvents({ ...plan, session_id: child, start: t0 + 500, open: false, child: true }, r, seed, until, (e) =>
    emit({ ...e, metadata: { ...((e.metadata as object) ?? {}), parent_session_id: plan.session_id } }),
  );
  // A subagent still working at `until` has not stopped yet.
  if (end.finished) emit({ ...base, event_type: 'subagent_stop', event_id: nextId(), client_timestamp: new Date(end.at).toISOString(), metadata: { child_session_id: child, last_assistant_message: 'Found 4 callers in src/cart and src/checkout.' } });
  return end;
}

export interface DemoPlanOptions {
  now: number;
  days: number;
  seed: number;
  /** Sessions per day multiplier (benchmarks fill millions of events with it). */
  scale?: number;
}

/** The sessions of the week: working hours on weekdays, fewer on weekends, a few open now. */
export function planSessions(o: DemoPlanOptions): SessionPlan[] {
  const plans: SessionPlan[] = [];
  const today = new Date(o.now);
  today.setHours(0, 0, 0, 0);
  for (let d = o.days - 1; d >= 0; d--) {
    // One generator per day, its first draws the day's size: a larger scale only appends sessions
    // to each day, so the event count grows with the scale (demoScaleFor relies on it). Each day
    // rounds at its own random offset, so that days do not all gain a session at the same scale.
    const r = rng(hash(`${o.seed}:${d}`));
    const dayStart = today.getTime() - d * DAY;
    const weekday = new Date(dayStart).getDay();
    const base = weekday === 0 || weekday === 6 ? 2 + Math.floor(r() * 3) : 7 + Math.floor(r() * 7);
    const count = Math.floor(base * (o.scale ?? 1) + r());
    for (let i = 0; i < count; i++) {
      const start = dayStart + 8 * HOUR + Math.floor(r() * 11 * HOUR);
      if (start >= o.now - 30 * MINUTE) continue;
      const p = pick(r, PROJECTS);
      plans.push({
        session_id: `demo-${o.seed}-${d}-${i}-${Math.floor(r() * 1e9).toString(36)}`,
        agent: weighted(r, AGENTS),
        project: p.project,
        branch: pick(r, p.branches),
        start,
        open: false,
      });
    }
  }
  // What runs right now: three sessions that started in the last half hour.
  for (let i = 0; i < 3; i++) {
    const p = PROJECTS[i % PROJECTS.length];
    plans.push({
      session_id: `demo-${o.seed}-live-${i}`,
      agent: AGENTS[i % 2],
      project: p.project,
      branch: p.branches[p.branches.length - 1],
      start: o.now - (10 + i * 7) * MINUTE,
      open: true,
    });
  }
  return plans;
}

/**
 * The demo history in chunks of about `chunkSessions` sessions, each validated and in time order
 * (agents report as they go, so a real week arrives in time order), so that millions of events
 * never sit in memory at once.
 */
export function* demoChunks(o: DemoPlanOptions, chunkSessions = 200): Generator<EventInput[]> {
  const plans = planSessions(o);
  for (let i = 0; i < plans.length; i += chunkSessions) {
    const out: EventInput[] = [];
    for (const plan of plans.slice(i, i + chunkSessions)) {
      const r = rng(o.seed ^ hash(plan.session_id));
      sessionEvents(plan, r, o.seed, o.now, (e) => {
        const v = validateEvent(e);
        if (!v.ok) throw new Error(`demo generated an invalid event in ${plan.session_id}: ${v.errors[0].field}: ${v.errors[0].message}`);
        out.push(v.value);
      });
    }
    yield out.sort((a, b) => Date.parse(a.client_timestamp!) - Date.parse(b.client_timestamp!));
  }
}

/**
 * How many events the store keeps from the demo history: a tool call's `running` and final events
 * share an id and are one stored event, so this is the number of distinct ids, not of emits.
 */
export function countDemoEvents(o: DemoPlanOptions): number {
  let n = 0;
  const ids = new Set<string>();
  for (const plan of planSessions(o)) {
    ids.clear();
    sessionEvents(plan, rng(o.seed ^ hash(plan.session_id)), o.seed, o.now, (e) => ids.add(e.event_id!));
    n += ids.size;
  }
  return n;
}

/**
 * The `scale` at which the demo history of `days` days stores at least `events` events (and, where
 * sessions are fine-grained enough, at most 2 % more). The count is deterministic for given options
 * and never falls as the scale grows, so it is counted, not guessed: a first scale from the average
 * rate, corrected by the counted ratio until the target is bracketed, then bisected.
 */
export function demoScaleFor(events: number, o: Omit<DemoPlanOptions, 'scale'>): number {
  // About 1,400 stored events per day at scale 1 (a 30-day mix of weekdays and weekends).
  let scale = Math.max(1e-3, events / (o.days * 1400));
  let lo = 0;
  let hi = Infinity;
  for (let pass = 0; pass < 16; pass++) {
    const n = countDemoEvents({ ...o, scale });
    if (n >= events) {
      hi = scale;
      if (n <= events * 1.02) break;
    } else lo = scale;
    const next = scale * ((events * (n < events ? 1.008 : 1.004)) / Math.max(1, n));
    scale = hi === Infinity || next <= lo || next >= hi ? (hi === Infinity ? next : (lo + hi) / 2) : next;
  }
  return hi === Infinity ? scale : hi;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

type Sink = (events: EventInput[]) => Promise<void>;

async function ingestAll(ingest: IngestSink, plan: DemoPlanOptions): Promise<{ inserted: number; completed: number; duplicates: number }> {
  const total = { inserted: 0, completed: 0, duplicates: 0 };
  for (const chunk of demoChunks(plan)) {
    for (let i = 0; i < chunk.length; i += 5000) {
      const out = await ingest.ingest(chunk.slice(i, i + 5000), { source: 'api', waitForStore: true, quiet: true });
      total.inserted += out.inserted;
      total.completed += out.completed;
      total.duplicates += out.duplicates;
    }
  }
  return total;
}

function httpSink(base: string): Sink {
  return async (events) => {
    for (let i = 0; i < events.length; i += 500) {
      const res = await fetch(`${base.replace(/\/$/, '')}/api/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(process.env.AGENTMONITOR_TOKEN ? { authorization: `Bearer ${process.env.AGENTMONITOR_TOKEN}` } : {}) },
        body: JSON.stringify(events.slice(i, i + 500)),
      });
      if (!res.ok) throw new Error(`POST ${base}/api/events/batch answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
  };
}

/** Live events: open sessions keep working in real time; now and then one ends and another starts. */
export function liveGenerator(seed: number): (now: number) => EventInput[] {
  const r = rng(seed * 7919 + 17);
  let counter = 0;
  const open: { plan: SessionPlan; model: string }[] = [];
  const check = (e: EventInputRaw): EventInput => {
    const v = validateEvent(e);
    if (!v.ok) throw new Error(`demo generated an invalid live event: ${v.errors[0].field}: ${v.errors[0].message}`);
    return v.value;
  };
  return (now) => {
    const out: EventInput[] = [];
    const ts = new Date(now).toISOString();
    const id = (kind: string) => `demo-live:${seed}:${kind}:${now.toString(36)}:${counter++}`;
    if (open.length < 3 || r() < 0.002) {
      const p = pick(r, PROJECTS);
      const agent = weighted(r, AGENTS.slice(0, 2));
      const plan: SessionPlan = { session_id: `demo-${seed}-live-${now.toString(36)}-${counter++}`, agent, project: p.project, branch: pick(r, p.branches), start: now, open: true };
      const model = weighted(r, agent.models).name;
      open.push({ plan, model });
      const base = { session_id: plan.session_id, agent_type: agent.agent_type, project: plan.project, branch: plan.branch, client_timestamp: ts };
      out.push(check({ ...base, event_type: 'session_start', event_id: id('start'), model }));
      out.push(check({ ...base, event_type: 'user_prompt', event_id: id('prompt'), metadata: { prompt: pick(r, PROMPTS) } }));
      return out;
    }
    const { plan, model } = pick(r, open);
    const agent_type = plan.agent.agent_type;
    const base = { session_id: plan.session_id, agent_type, project: plan.project, branch: plan.branch, client_timestamp: ts };
    const roll = r();
    if (roll < 0.45) {
      out.push(check({ ...base, event_type: 'llm_request', event_id: llmRequestEventId(agent_type, id('req')), model, tokens_in: around(r, 60), tokens_out: around(r, 400), cache_read_tokens: around(r, 40_000), cache_write_tokens: r() < 0.3 ? around(r, 2000) : 0, duration_ms: around(r, 3500) }));
    } else if (roll < 0.9) {
      const tool = pick(r, plan.agent.tools);
      const failed = r() < 0.06;
      out.push(check({ ...base, event_type: 'tool_use', event_id: toolEventId(agent_type, id('tool')), tool_name: tool, status: failed ? 'error' : 'success', duration_ms: around(r, TOOL_MEDIAN_MS[tool] ?? 300), metadata: { tool_input: (TOOL_INPUTS[tool] ?? (() => ({})))() } }));
    } else if (roll < 0.97) {
      out.push(check({ ...base, event_type: 'response', event_id: id('answer'), model, metadata: { text: pick(r, ANSWERS) } }));
      out.push(check({ ...base, event_type: 'user_prompt', event_id: id('prompt'), metadata: { prompt: pick(r, PROMPTS) } }));
    } else if (open.length > 1) {
      open.splice(open.findIndex((o) => o.plan === plan), 1);
      out.push(check({ ...base, event_type: 'session_end', event_id: id('end'), metadata: { reason: 'prompt_input_exit' } }));
    }
    return out;
  };
}

async function runLive(sink: Sink, seed: number, rate: number, signal: AbortSignal): Promise<number> {
  const next = liveGenerator(seed);
  let sent = 0;
  const tickMs = rate >= 20 ? 100 : Math.max(50, Math.round(1000 / rate));
  let budget = 0;
  while (!signal.aborted) {
    budget += (rate * tickMs) / 1000;
    const batch: EventInput[] = [];
    while (budget >= 1 && batch.length < 5000) {
      const evs = next(Date.now());
      batch.push(...evs);
      budget -= Math.max(1, evs.length);
    }
    if (batch.length) {
      await sink(batch);
      sent += batch.length;
    }
    await new Promise((res) => setTimeout(res, tickMs));
  }
  return sent;
}

async function removeDemo(dbPath: string, token: string | null): Promise<number> {
  const owner = await probeOwner(dbPath, token);
  if (owner.kind === 'server' || owner.kind === 'unverified') {
    process.stderr.write(`agentmonitor demo: ${dbPath} is in use by the AgentMonitor server pid ${owner.lock.pid} (${lockUrl(owner.lock)}): stop it, then run demo --remove again\n`);
    return 1;
  }
  const real = await realSessionInFile(dbPath);
  if (real) {
    process.stderr.write(`agentmonitor demo: ${refuseRealData(dbPath, real.example, `${real.sessions} sessions are not demo data, so demo --remove leaves it alone`)}\n`);
    return 1;
  }
  const files = databaseFiles(dbPath);
  for (const f of files) fs.rmSync(f, { force: true });
  process.stdout.write(files.length ? `demo: removed ${dbPath} (${files.length} files)\n` : `demo: no demo database at ${dbPath}\n`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, {
      db: { type: 'string' },
      days: { type: 'number' },
      seed: { type: 'number' },
      live: { type: 'boolean' },
      rate: { type: 'number' },
      scale: { type: 'number' },
      events: { type: 'number' },
      port: { type: 'number' },
      server: { type: 'string' },
      'mix-with-real-data': { type: 'boolean' },
      remove: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    if (args.values.remove && (args.values.live || args.values.server !== undefined)) throw new UsageError('--remove goes with --db only');
    const days = Number(args.values.days ?? 7);
    if (!Number.isInteger(days) || days < 1 || days > 60) throw new UsageError(`--days must be an integer from 1 to 60, got ${days}`);
    const rate = Number(args.values.rate ?? 2);
    if (!(rate > 0 && rate <= 1000)) throw new UsageError(`--rate must be a number above 0 and at most 1000, got ${rate}`);
    const scale = Number(args.values.scale ?? 1);
    if (!(scale > 0 && scale <= 1000)) throw new UsageError(`--scale must be a number above 0 and at most 1000, got ${scale}`);
    const events = args.values.events;
    if (events !== undefined) {
      if (args.values.scale !== undefined) throw new UsageError('--events and --scale do not go together');
      if (!(Number.isInteger(Number(events)) && Number(events) >= 1 && Number(events) <= 50_000_000)) throw new UsageError(`--events must be an integer from 1 to 50000000, got ${events}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`agentmonitor demo: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const days = Number(args.values.days ?? 7);
  const seed = Number(args.values.seed ?? 1);
  const rate = Number(args.values.rate ?? 2);
  const dbPath = args.values.db !== undefined ? path.resolve(String(args.values.db)) : demoDbPath();
  const overrides: Partial<ServerConfig> = { dbPath, port: args.values.port !== undefined ? Number(args.values.port) : DEMO_PORT };
  const config = loadConfig(process.env, overrides);
  if (args.values.remove) return removeDemo(dbPath, config.token);
  const log = stderrLogger('demo');
  const now = Date.now();
  const scale = args.values.events !== undefined ? demoScaleFor(Number(args.values.events), { now, days, seed }) : Number(args.values.scale ?? 1);
  const plan: DemoPlanOptions = { now, days, seed, scale };
  const mix = !!args.values['mix-with-real-data'];

  const owner = args.values.server ? null : await probeOwner(config.dbPath, config.token);
  const serverUrl = args.values.server ? String(args.values.server) : owner?.kind === 'server' ? owner.url : null;
  if (!mix) {
    const authorization: Record<string, string> = config.token ? { authorization: `Bearer ${config.token}` } : {};
    const real = serverUrl ? await realSessionOnServer(serverUrl, authorization) : await realSessionInFile(config.dbPath);
    if (real) {
      const where = serverUrl ? `the server at ${serverUrl}` : config.dbPath;
      process.stderr.write(`agentmonitor demo: ${refuseRealData(where, real.example, 'demo data is not written there without --mix-with-real-data')}\n`);
      return 1;
    }
  }
  const abort = new AbortController();
  const stopOn = () => abort.abort();
  process.once('SIGINT', stopOn);
  process.once('SIGTERM', stopOn);

  if (serverUrl) {
    let sent = 0;
    for (const chunk of demoChunks(plan)) {
      await httpSink(serverUrl)(chunk);
      sent += chunk.length;
    }
    process.stdout.write(`demo: sent ${sent} events to ${serverUrl}\n`);
    if (args.values.live) {
      process.stdout.write(`demo: live, ${rate} events/s to ${serverUrl} (Ctrl+C stops)\n`);
      const sent = await runLive(httpSink(serverUrl), seed, rate, abort.signal);
      process.stdout.write(`demo: sent ${sent} live events\n`);
    }
    return 0;
  }

  if (!args.values.live) {
    const core = await openCore({ config, log });
    try {
      const out = await ingestAll(core.ingest, plan);
      process.stdout.write(
        `demo: ${out.inserted} events stored, ${out.completed} running tool calls completed, ${out.duplicates} already there, in ${config.dbPath}\n` +
          `demo: see them with: ${serveCommandFor(config.dbPath)}; remove them with: agentmonitor demo --remove${args.values.db !== undefined ? ` --db ${config.dbPath}` : ''}\n`,
      );
    } finally {
      await core.close();
    }
    return 0;
  }

  const server = await startServer(overrides, { log });
  try {
    const out = await ingestAll(server.ctx.ingest, plan);
    process.stdout.write(`demo: ${out.inserted} events stored in ${config.dbPath}\ndemo: dashboard at ${server.url}/ — live, ${rate} events/s (Ctrl+C stops)\n`);
    const sent = await runLive(async (batch) => void (await server.ctx.ingest.ingest(batch, { source: 'api' })), seed, rate, abort.signal);
    process.stdout.write(`demo: ${sent} live events\n`);
  } finally {
    await server.close();
  }
  return 0;
}
