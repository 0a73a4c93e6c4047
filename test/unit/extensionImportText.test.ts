/**
 * An import from the extension that finds no transcript (issue 22, as the CLI): the message names
 * the folders it looked in and the settings that point it elsewhere, not "0 new events from 0 files".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImportSummary } from '../../src/core/contracts/api';
import { importSummaryText } from '../../src/extension/model/importText';

const nothing: ImportSummary = {
  import_id: 'i1', files: 0, files_skipped_unchanged: 0, events: 0, duplicates: 0, lines: 0, skipped_lines: 0, skipped: [], duration_ms: 3, cancelled: false,
};
const places = { claudeDirs: ['/home/me/.claude', '/home/me/.config/claude'], codexDirs: ['/home/me/.codex'] };

test('an import that found nothing names the folders it looked in and the settings to change', () => {
  assert.equal(
    importSummaryText(nothing, places),
    'Import done: no transcripts found. Looked in /home/me/.claude, /home/me/.config/claude, /home/me/.codex (Claude Code\'s projects/, ' +
      'Codex\'s sessions/ and archived_sessions/); if your agents keep their logs elsewhere, set "agentMonitor.claudeConfigDirs" or "agentMonitor.codexHome".',
  );
  assert.match(importSummaryText(nothing, { ...places, cwdFilter: ['/work/shop'] }), /^Import done: no transcripts of sessions in \/work\/shop found\. Looked in /);
  // Each agent read names its own folder setting.
  assert.match(
    importSummaryText(nothing, { ...places, geminiDirs: ['/home/me/.gemini'], opencodeDirs: ['/home/me/.local/share/opencode'] }),
    /set "agentMonitor\.claudeConfigDirs", "agentMonitor\.codexHome", "agentMonitor\.geminiCliHome" or "agentMonitor\.opencodeDataHome"\.$/,
  );
});

test('an import that found files, even unchanged ones, keeps its counts', () => {
  assert.equal(importSummaryText({ ...nothing, files_skipped_unchanged: 4 }, places), 'Import done: 0 new events from 0 files, 4 unchanged.');
  assert.match(importSummaryText({ ...nothing, cancelled: true }, places), /^Import cancelled: 0 new events/);
});
