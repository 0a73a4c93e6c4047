/** "Reveal Transcript File" in local and remote windows (issue 19): the file always opens. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revealTranscript, type RevealHost } from '../../src/extension/model/revealTranscript';

/** The editor as a remote host (or code-server) has it: no `revealFileInOS` for the remote's files. */
function host(over: Partial<RevealHost> = {}): RevealHost & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    exists: async (f) => f !== '/gone.jsonl',
    commands: async () => ['workbench.action.files.openFile'],
    remoteName: 'ssh-remote',
    openInEditor: async (f) => calls.push(`open ${f}`),
    revealInOS: async () => {
      throw new Error("command 'revealFileInOS' not found");
    },
    info: (m) => calls.push(`info ${m}`),
    warn: (m) => calls.push(`warn ${m}`),
    ...over,
  };
}

test('a remote window opens the transcript in an editor instead of failing on revealFileInOS', async () => {
  const h = host({ commands: async () => ['revealFileInOS'] });
  assert.equal(await revealTranscript('/home/me/.claude/projects/p/s.jsonl', h), 'opened');
  assert.deepEqual(h.calls, ['open /home/me/.claude/projects/p/s.jsonl']);
  const noCommand = host({ remoteName: undefined });
  assert.equal(await revealTranscript('/t.jsonl', noCommand), 'opened', 'a local host without the command (code-server) opens the file too');
  assert.deepEqual(noCommand.calls, ['open /t.jsonl']);
});

test('a local window opens the file and reveals it in the OS; a failing reveal still leaves it open', async () => {
  const revealed: string[] = [];
  const local = host({ remoteName: undefined, commands: async () => ['revealFileInOS'], revealInOS: async (f) => revealed.push(f) });
  assert.equal(await revealTranscript('/t.jsonl', local), 'opened-and-revealed');
  assert.deepEqual([local.calls, revealed], [['open /t.jsonl'], ['/t.jsonl']]);
  const failing = host({ remoteName: undefined, commands: async () => ['revealFileInOS'] });
  assert.equal(await revealTranscript('/t.jsonl', failing), 'opened');
  assert.deepEqual(failing.calls, ['open /t.jsonl']);
});

test('no transcript, or a file gone: a message, nothing opened', async () => {
  const h = host();
  assert.equal(await revealTranscript(null, h), 'no-transcript');
  assert.equal(await revealTranscript('/gone.jsonl', h), 'not-found');
  assert.deepEqual(h.calls, ['info AgentMonitor: this session has no known transcript file.', 'warn AgentMonitor: transcript file not found: /gone.jsonl']);
});
