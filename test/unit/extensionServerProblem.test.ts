/**
 * The server-problem notification (issue 19): a "crashed"/foreign-port message no longer stays
 * after the server recovered; one notification per problem. A fake host records what is shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProblemNotice, type ProblemNoticeHost } from '../../src/extension/model/serverProblemNotice';

function host(): ProblemNoticeHost & { calls: string[]; dismiss: (() => void)[] } {
  const calls: string[] = [];
  const dismiss: (() => void)[] = [];
  return {
    calls,
    dismiss,
    show(message, onDismissed) {
      calls.push(`show ${message}`);
      dismiss.push(onDismissed);
      return { close: () => calls.push(`close ${message}`) };
    },
  };
}

const failed = { kind: 'failed', message: 'the server exited with code 1 (5 crashes in a row)' } as const;
const foreign = { kind: 'foreign', port: 3142, message: 'Port 3142 is used by another program' } as const;

test('a failed server is shown once, and the message closes when the server runs again', () => {
  const h = host();
  const n = new ServerProblemNotice(h);
  n.update(failed);
  n.update(failed);
  assert.deepEqual(h.calls, [`show ${failed.message}`], 'shown once for one problem');
  n.update({ kind: 'starting' });
  n.update({ kind: 'owner', url: 'http://127.0.0.1:3142', pid: 1 });
  assert.deepEqual(h.calls, [`show ${failed.message}`, `close ${failed.message}`]);
  assert.equal(n.shown, null);
});

test('a new problem replaces the old message; recovery as a follower closes it too', () => {
  const h = host();
  const n = new ServerProblemNotice(h);
  n.update(foreign);
  n.update(failed);
  n.update({ kind: 'follower', url: 'http://127.0.0.1:3142', pid: 2 });
  assert.deepEqual(h.calls, [`show ${foreign.message}`, `close ${foreign.message}`, `show ${failed.message}`, `close ${failed.message}`]);
});

test('a message the user closed is not closed again, and the same problem later is shown again', () => {
  const h = host();
  const n = new ServerProblemNotice(h);
  n.update(failed);
  h.dismiss[0]();
  assert.equal(n.shown, null);
  n.update({ kind: 'owner', url: 'http://127.0.0.1:3142', pid: 1 });
  n.update(failed);
  assert.deepEqual(h.calls, [`show ${failed.message}`, `show ${failed.message}`]);
});

test('states that need nothing from the user show nothing', () => {
  const h = host();
  const n = new ServerProblemNotice(h);
  for (const s of [{ kind: 'stopped' }, { kind: 'starting' }, { kind: 'crashed', attempt: 1, retryInMs: 500 }] as const) n.update(s);
  assert.deepEqual(h.calls, []);
});
