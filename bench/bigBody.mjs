// One huge request must not stall the server (issue 15): posts an event whose metadata has 700k
// keys (about 8 MB) and a hook whose tool_input has as many, while polling `GET /api/health`, and
// prints the time of each big POST and the longest health answer during it, against a baseline of
// a small event posted and polled the same way in the same run.
// Usage: node bench/bigBody.mjs [--keys 700000]   (runs the server from src through tsx)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProcess } from './serverProcess.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const KEYS = arg('keys', 700_000);

function startServer(dir) {
  return startProcess(['--import', 'tsx', path.join(root, 'src/cli.ts'), 'serve', '--port', '0', '--db', path.join(dir, 'a.db'), '--no-watch'], { HOME: dir });
}

/** Time one POST while polling /api/health back to back; the longest health answer is the stall. */
async function timed(url, p, body) {
  let done = false;
  let worst = 0;
  const poll = (async () => {
    while (!done) {
      const t = performance.now();
      await fetch(`${url}/api/health`).then((r) => r.arrayBuffer());
      worst = Math.max(worst, performance.now() - t);
    }
  })();
  const t0 = performance.now();
  const r = await fetch(url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.arrayBuffer();
  const ms = performance.now() - t0;
  done = true;
  await poll;
  return { status: r.status, ms, worst };
}

function hugeObject(prefix) {
  const o = {};
  for (let i = 0; i < KEYS; i++) o[`${prefix}${i}`] = i % 10;
  return o;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bigbody-'));
const server = await startServer(dir);
try {
  const small = JSON.stringify({ session_id: 'b', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', metadata: { command: 'ls' } });
  const event = JSON.stringify({ session_id: 'b', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', metadata: hugeObject('k') });
  const hook = JSON.stringify({ session_id: 'b', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'tu1', tool_input: hugeObject('a') });
  for (let i = 0; i < 20; i++) await timed(server.url, '/api/events', small);
  const base = await timed(server.url, '/api/events', small);
  const ev = await timed(server.url, '/api/events', event);
  const hk = await timed(server.url, '/api/hooks/claude-code', hook);
  await timed(server.url, '/api/events', small);
  const mb = (s) => (Buffer.byteLength(s) / 1048576).toFixed(1);
  const row = (name, r) => `${name.padEnd(34)} status ${r.status}  post ${r.ms.toFixed(0).padStart(6)} ms (${(r.ms / base.ms).toFixed(0)}x)  longest health ${r.worst.toFixed(0).padStart(6)} ms`;
  console.log(row('small event (baseline)', base));
  console.log(row(`event, metadata ${KEYS} keys ${mb(event)} MB`, ev));
  console.log(row(`hook, tool_input ${KEYS} keys ${mb(hook)} MB`, hk));
} finally {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
