/**
 * The agent registry (src/core/agents/) is the one place an agent is declared: every consumer
 * derives from it. The real registry's adapters are reached by each consumer, and an adapter
 * registered only in a test registry (a made-up "Qwen Code") is reached by every consumer that
 * takes the registry as a parameter: its import option, request field, default folders, log kinds,
 * OTLP dispatch, hooks answer and help texts, with no other change.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { allDirs, defaultAgentDirs, folderAgents, pickAgentDirs, requestDirs, requestedDirs } from '../../src/core/agents/folders';
import { AGENT_IDENTITIES } from '../../src/core/agents/identities';
import type { AgentIdentity } from '../../src/core/agents/identity';
import { AGENTS } from '../../src/core/agents/registry';
import type { AgentAdapter } from '../../src/core/agents/types';
import { parseArgs, UsageError } from '../../src/core/cli/args';
import { agentsFor } from '../../src/core/cli/hooks';
import { folderOptions, importHelp, importRequestOf, nothingFoundText } from '../../src/core/cli/import';
import { loadConfig } from '../../src/core/config';
import { AGENT_DISPLAY, agentDisplay } from '../../src/core/contracts/agents';
import { KNOWN_AGENT_TYPES, validateEvent } from '../../src/core/contracts/events';
import { dirsByKind, LOG_KINDS, LOG_SOURCES } from '../../src/core/importers/logSources';
import { IGNORED } from '../../src/core/otel/mappedEvent';
import { otelAgentOf, spanAgentOf } from '../../src/core/otel/otelAgent';
import type { OtlpSpan } from '../../src/core/otel/otlpRecords';
import { importRequestSchema } from '../../src/core/server/routes/importRoute';

const qwenIdentity = {
  id: 'qwen',
  agentType: 'qwen-code',
  aliases: ['qwen_code'],
  name: 'Qwen Code',
  icon: 'hubot',
  folders: {
    request: 'qwen_dirs',
    config: 'qwenDirs',
    option: 'qwen-dir',
    holds: 'a Qwen Code folder holding chats/',
    logs: 'Qwen Code chats',
    defaultsText: 'QWEN_HOME or ~/.qwen',
    lookedIn: 'chats/ below each',
    env: 'QWEN_HOME',
    defaults: (env, h) => [env.QWEN_HOME || h.join(h.home, '.qwen')],
  },
} as const satisfies AgentIdentity;

const qwen: AgentAdapter = {
  identity: qwenIdentity,
  logSources: [
    {
      kind: 'qwen',
      agentType: 'qwen-code',
      subdirs: ['chats'],
      accepts: (p) => p.endsWith('.jsonl'),
      inCwd: () => true,
      parser: () => {
        throw new Error('not read in this test');
      },
    },
  ],
  otel: { service: (s) => s === 'qwen-code', namePrefix: 'qwen.', logMapper: () => () => IGNORED, spans: { accepts: (s) => s.scope === 'qwen', map: () => IGNORED } },
  hooks: { unsupported: 'Qwen Code gets no hooks in this test', cliNames: ['qwen'] },
};

const withQwen = [...AGENTS, qwen];
const withQwenIds = withQwen.map((a) => a.identity);

test('the registry holds one adapter per identity, in order, and each declares what its identity promises', () => {
  assert.deepEqual(
    AGENTS.map((a) => a.identity),
    [...AGENT_IDENTITIES],
  );
  const kinds = AGENTS.flatMap((a) => a.logSources.map((s) => s.kind));
  assert.equal(new Set(kinds).size, kinds.length, 'log kinds are unique');
  for (const a of AGENTS) {
    for (const s of a.logSources) assert.equal(s.agentType, a.identity.agentType, `${s.kind} logs are ${a.identity.name}'s`);
    if (!a.identity.folders) assert.equal(a.logSources.length, 0, `${a.identity.name} has logs but no folder names`);
  }
  for (const field of ['request', 'config', 'option'] as const) {
    const names = folderAgents().map((a) => a.folders[field]);
    assert.equal(new Set(names).size, names.length, `folder ${field} names are unique`);
  }
});

test('every registered agent reaches discovery, config, the import CLI and request, the names and the event contract', () => {
  const config = loadConfig({}) as unknown as Record<string, unknown>;
  const host = { home: os.homedir(), platform: process.platform, join: path.join };
  const help = importHelp();
  const schema = importRequestSchema();
  for (const a of AGENTS) {
    const i = a.identity;
    assert.ok(KNOWN_AGENT_TYPES.includes(i.agentType as never), `${i.agentType} is a known agent type`);
    assert.deepEqual(agentDisplay(i.agentType), { name: i.name, icon: i.icon });
    for (const alias of i.aliases ?? []) {
      const r = validateEvent({ session_id: 's', agent_type: alias, event_type: 'session_start' });
      assert.equal(r.ok && r.value.agent_type, i.agentType, `${alias} is stored as ${i.agentType}`);
    }
    for (const s of a.logSources) assert.equal(LOG_SOURCES[s.kind], s, `${s.kind} is discovered and tailed`);
    if (!i.folders) continue;
    assert.deepEqual(config[i.folders.config], i.folders.defaults({}, host), `${i.folders.config} in ServerConfig`);
    assert.ok(help.includes(`--${i.folders.option} DIR`), `import --help names --${i.folders.option}`);
    assert.ok(schema.safeParse({ [i.folders.request]: ['/x'] }).success, `POST /api/import takes ${i.folders.request}`);
  }
  assert.deepEqual(LOG_KINDS, AGENTS.flatMap((a) => a.logSources.map((s) => s.kind)));
  assert.deepEqual(AGENTS.filter((a) => a.identity.standInUsage).map((a) => a.identity.agentType), ['claude-code', 'copilot-cli']);
  assert.deepEqual(Object.keys(AGENT_DISPLAY), AGENTS.map((a) => a.identity.agentType));
  // The old flags and fields keep their names.
  assert.deepEqual(Object.keys(folderOptions()), ['claude-dir', 'codex-dir', 'gemini-dir', 'copilot-dir', 'opencode-dir', 'copilot-chat-dir']);
  assert.deepEqual(folderAgents().map((a) => a.folders.request), ['claude_dirs', 'codex_dirs', 'gemini_dirs', 'copilot_dirs', 'opencode_dirs', 'copilot_chat_dirs']);
  assert.equal(schema.safeParse({ claude_dir: ['/x'] }).success, false, 'an unknown field is refused');
});

test('an adapter added to a registry reaches every consumer that derives from it', () => {
  // The import CLI: its option parses, and a request names its folders (absolute), the others' empty.
  const args = parseArgs(['--qwen-dir', 'rel/qwen'], folderOptions(withQwenIds));
  const req = importRequestOf(args.values, {}, withQwenIds) as Record<string, unknown>;
  assert.deepEqual(req.qwen_dirs, [path.resolve('rel/qwen')]);
  assert.deepEqual(req.claude_dirs, []);
  assert.throws(() => parseArgs(['--qwen-dir', 'x'], folderOptions()), UsageError, 'without the adapter there is no such option');
  assert.ok(importHelp(withQwenIds).includes('--qwen-dir DIR'));
  assert.ok(importHelp(withQwenIds).includes('Qwen Code chats'));
  // What an import that found nothing says.
  const none = { import_id: 'i', files: 0, files_skipped_unchanged: 0, events: 0, duplicates: 0, lines: 0, skipped_lines: 0, skipped: [], duration_ms: 0, cancelled: false };
  const text = nothingFoundText(none, { qwen_dirs: ['/nowhere/qwen'] } as never, withQwenIds)!;
  assert.match(text, /Qwen Code \(chats\/ below each\):\n {4}\/nowhere\/qwen \(no such folder\)/);
  assert.match(text, /--qwen-dir DIR/);
  assert.match(text, /QWEN_HOME/);
  // The request route's schema, and the request's folders by agent and by kind.
  assert.ok(importRequestSchema(withQwenIds).safeParse({ qwen_dirs: ['/q'] }).success);
  assert.equal(importRequestSchema().safeParse({ qwen_dirs: ['/q'] }).success, false);
  assert.deepEqual(requestDirs({ qwen_dirs: ['/q'], codex_dirs: ['/c'] } as never, withQwenIds), ['/c', '/q']);
  assert.deepEqual((requestedDirs({} as never, { qwenDirs: ['/d'] } as never, withQwenIds) as Record<string, unknown>).qwenDirs, ['/d']);
  assert.deepEqual((requestedDirs({ codex_dirs: ['/c'] }, { qwenDirs: ['/d'] } as never, withQwenIds) as Record<string, unknown>).qwenDirs, []);
  // Config defaults, discovery's folders by kind, the server's allowed folders.
  assert.deepEqual((defaultAgentDirs({ QWEN_HOME: '/q' }, withQwenIds) as Record<string, unknown>).qwenDirs, ['/q']);
  assert.deepEqual(dirsByKind({ qwenDirs: ['/q'] } as never, withQwen).qwen, ['/q']);
  assert.deepEqual(allDirs({ qwenDirs: ['/q'] } as never, withQwenIds), ['/q']);
  assert.deepEqual((pickAgentDirs({ qwenDirs: ['/q'] } as never, withQwenIds) as Record<string, unknown>).qwenDirs, ['/q']);
  // OTLP: by service name, by record name, spans.
  assert.equal(otelAgentOf({ 'service.name': 'qwen-code' }, '', withQwen), qwen);
  assert.equal(otelAgentOf({}, 'qwen.api_response', withQwen), qwen);
  assert.equal(otelAgentOf({ 'service.name': 'qwen-code' }, ''), null);
  assert.equal(spanAgentOf({ scope: 'qwen', resource: {} } as unknown as OtlpSpan, withQwen), qwen.otel!.spans);
  // Hooks: its answer for `--agent qwen`; `--agent all` leaves it out.
  assert.throws(() => agentsFor('qwen', 'install', {}, withQwen), /Qwen Code gets no hooks/);
  assert.throws(() => agentsFor('qwen', 'install', {}), /--agent must be claude, codex, gemini or all/);
  assert.deepEqual(agentsFor('all', 'status', {}, withQwen), ['claude-code', 'codex', 'gemini-cli']);
});
