/**
 * The "watching …" line `serve` logs when live mode starts names each folder once, though an agent
 * may read several kinds of log from one folder (OpenCode's database and, when its
 * `storage/message` is missing, its older JSON messages both come from its data folder).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import type { Logger } from '../../src/core/log';
import { openTestCore, scratchDir } from './importHelpers';

test('the watching line names the OpenCode folder once', async () => {
  const core = await openTestCore();
  const opencode = path.join(scratchDir(), 'opencode');
  const codex = path.join(scratchDir(), '.codex');
  fs.mkdirSync(opencode, { recursive: true });
  fs.mkdirSync(path.join(codex, 'sessions'), { recursive: true });
  const lines: string[] = [];
  const log: Logger = { info: (m) => lines.push(m), warn: () => {}, error: () => {}, debug: () => {} };
  const watcher = startLogWatcher(core, { claudeDirs: [], codexDirs: [codex], opencodeDirs: [opencode], log, catchUpHours: 0 });
  try {
    await watcher.ready;
    const watching = lines.find((l) => l.startsWith('watching '));
    assert.equal(watching, `watching ${path.join(codex, 'sessions')}, ${opencode}`);
  } finally {
    await watcher.close();
    await core.close();
  }
});
