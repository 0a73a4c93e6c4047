/** Each known agent type has one name and tree icon (contracts/agents.ts), used by the tree, ticker and dashboard. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_DISPLAY, agentDisplay, agentName } from '../../src/core/contracts/agents';
import { KNOWN_AGENT_TYPES, validateEvent } from '../../src/core/contracts/events';
import { agentLabel } from '../../src/extension/model/format';

test('every known agent type has a name and an icon; an unknown one is shown as it is', () => {
  assert.deepEqual(Object.keys(AGENT_DISPLAY).sort(), [...KNOWN_AGENT_TYPES].sort());
  assert.deepEqual(agentDisplay('gemini-cli'), { name: 'Gemini CLI', icon: 'star-full' });
  assert.equal(agentLabel('gemini-cli'), 'Gemini CLI');
  assert.equal(agentLabel('copilot-cli'), 'Copilot CLI');
  assert.equal(agentName('codex'), 'Codex');
  assert.equal(agentLabel('opencode'), 'OpenCode');
  assert.deepEqual(agentDisplay('qwen-code'), { name: 'qwen-code', icon: 'robot' });
});

test('gemini_cli is accepted as another spelling of gemini-cli', () => {
  const r = validateEvent({ session_id: 's', agent_type: 'gemini_cli', event_type: 'session_start' });
  assert.ok(r.ok);
  assert.equal(r.ok && r.value.agent_type, 'gemini-cli');
});
