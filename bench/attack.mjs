// The attack run of the durability promise: `agentmonitor serve` under mixed load (API batches with
// and without event ids, Claude Code and Codex hooks) is killed with SIGKILL at a random moment,
// again and again, with snapshots every 0.2 s so kills land inside them too; then one clean start
// checks every acknowledged event. Prints acknowledged, lost, events showing another event's
// metadata, and duplicates; exits 1 unless the last three are 0.
// `node bench/attack.mjs [--cycles N] [--seed S]` (defaults 10 cycles), after `npm run build`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProcess } from './serverProcess.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const cycles = arg('cycles', 10);
let seed = arg('seed', 42);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-attack-'));
const dbPath = path.join(dir, 'am.db');
const serve = (env = {}) => startProcess(['dist/cli.js', 'serve', '--port', '0', '--db', dbPath, '--no-watch'], env);

/** tag -> what must be stored: `api` events carry the tag in tool_name and metadata, hooks in the prompt. */
const acked = new Map();

async function post(url, route, body) {
  const r = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.text() };
}

async function loader(url, kind, cycle, stop) {
  for (let n = 0; !stop.done; n++) {
    const tag = `c${cycle}-${kind}-${n}`;
    try {
      if (kind === 'api' || kind === 'api-ids') {
        const events = Array.from({ length: 50 }, (_, i) => ({
          session_id: `${tag}-s`,
          agent_type: 'attack',
          event_type: 'tool_use',
          tool_name: `${tag}-${i}`,
          ...(kind === 'api-ids' ? { event_id: `${tag}-${i}` } : {}),
          metadata: { tag: `${tag}-${i}`, filler: 'x'.repeat(200 + ((n * 37 + i) % 300)) },
        }));
        const r = await post(url, '/api/events/batch', events);
        if (r.status === 201) for (const e of events) acked.set(e.tool_name, 'api');
      } else {
        const agent = kind === 'codex' ? 'codex' : 'claude-code';
        const payload = { session_id: `${tag}-s`, hook_event_name: 'UserPromptSubmit', prompt: tag, cwd: dir, ...(agent === 'codex' ? { turn_id: `turn-${n}` } : {}) };
        const r = await post(url, `/api/hooks/${agent}`, payload);
        if (r.status === 200) acked.set(tag, 'hook');
      }
    } catch {
      return; // the server was killed mid-request: not acknowledged
    }
  }
}

for (let c = 0; c < cycles; c++) {
  const p = await serve({ AGENTMONITOR_SNAPSHOT_INTERVAL_S: '0.2' });
  const stop = { done: false };
  const loads = ['api', 'api-ids', 'claude', 'codex'].map((k) => loader(p.url, k, c, stop));
  await new Promise((r) => setTimeout(r, 300 + random() * 1500));
  p.child.kill('SIGKILL');
  stop.done = true;
  await Promise.all(loads);
  await new Promise((r) => (p.child.exitCode !== null || p.child.signalCode ? r() : p.child.once('exit', r)));
  process.stdout.write(`cycle ${c + 1}/${cycles}: ${acked.size} acknowledged so far\n`);
}

const p = await serve({ AGENTMONITOR_SNAPSHOT_INTERVAL_S: '3600' });
const seen = new Map();
let wrongMetadata = 0;
let cursor = null;
for (;;) {
  const q = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
  const page = await (await fetch(`${p.url}/api/events?${q}`)).json();
  for (const e of page.events) {
    const tag = e.agent_type === 'attack' ? e.tool_name : e.metadata?.prompt;
    if (typeof tag !== 'string') continue;
    seen.set(tag, (seen.get(tag) ?? 0) + 1);
    if (e.agent_type === 'attack' && e.metadata?.tag !== tag) wrongMetadata++;
  }
  if (!page.next_cursor) break;
  cursor = page.next_cursor;
}
await p.stop();
const skipped = (p.out().match(/skipped/g) ?? []).length;
let lost = 0;
for (const tag of acked.keys()) if (!seen.has(tag)) lost++;
const duplicates = [...seen.values()].filter((n) => n > 1).length;
console.log(`attack: ${cycles} kill -9 cycles, ${acked.size} acknowledged events`);
console.log(`  lost: ${lost}   with another event's metadata (or none): ${wrongMetadata}   stored twice: ${duplicates}   journal lines skipped at the last start: ${skipped}`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(lost || wrongMetadata || duplicates ? 1 : 0);
