/**
 * The agents whose log files AgentMonitor reads, one entry each: where the files sit under a
 * configured folder, which files are logs, and the parser that turns their lines into events.
 * Discovery (`discover.ts`), the tailer (`fileTail.ts`) and live mode (`liveWatch.ts`) go through
 * this table; adding an agent's logs is one parser module plus one entry here (docs/DEVELOPING.md).
 */
import * as path from 'node:path';
import { ClaudeParser, claudeFileInfo, type ClaudeSessionIndex } from './claudeCode';
import { CodexParser } from './codex';
import { CopilotChatParser, isCopilotChatFile } from './copilotChat';
import { CopilotParser, isCopilotEventsFile } from './copilot';
import { isCopilotStoreDb, readCopilotStore } from './copilotStore';
import { GeminiParser, isGeminiChatFile } from './gemini';
import { isOpencodeDb, readOpencodeDb } from './opencode';
import { isOpencodeMessageFile, OpencodeJsonParser } from './opencodeJson';
import type { LogKind, LogParser } from './types';

export interface LogSource {
  kind: LogKind;
  /** The `agent_type` of its events. */
  agentType: string;
  /** Subfolders of a configured folder that hold the logs; a folder without any is searched as it is. */
  subdirs: readonly string[];
  /** Whether a file found under those folders is one of this agent's logs. */
  accepts(filePath: string): boolean;
  /** Discovery order when not by path (default: by path). */
  sortKey?(filePath: string): string;
  /** How deep below a log subfolder the logs sit at most (default 8 for discovery, 6 for live mode). */
  maxDepth?: number;
  /** Whether the file is read in one piece on every change rather than tailed by line. */
  wholeFile?(filePath: string): boolean;
  parser(filePath: string, state: unknown, index?: ClaudeSessionIndex): LogParser;
  /**
   * For an agent that keeps its sessions in a SQLite database instead of logs: reads what was
   * written since `state` (a copy of the file, its WAL applied). Such a file is found only directly
   * in the configured folder (`subdirs` empty) and polled by live mode instead of watched.
   */
  database?: typeof readOpencodeDb;
}

export const LOG_SOURCES: Readonly<Record<LogKind, LogSource>> = {
  claude: {
    kind: 'claude',
    agentType: 'claude-code',
    subdirs: ['projects'],
    accepts: (p) => p.endsWith('.jsonl'),
    parser: (file, state, index) => new ClaudeParser({ path: file, ...claudeFileInfo(file), index }, state),
  },
  codex: {
    kind: 'codex',
    agentType: 'codex',
    subdirs: ['sessions', 'archived_sessions'],
    accepts: (p) => p.endsWith('.jsonl'),
    parser: (file, state) => new CodexParser(file, state),
  },
  gemini: {
    kind: 'gemini',
    agentType: 'gemini-cli',
    subdirs: ['tmp'],
    accepts: isGeminiChatFile,
    wholeFile: (p) => p.endsWith('.json'),
    parser: (file, state) => new GeminiParser(file, state),
  },
  copilot: {
    kind: 'copilot',
    agentType: 'copilot-cli',
    subdirs: ['session-state'],
    accepts: isCopilotEventsFile,
    parser: (file, state) => new CopilotParser(file, state),
  },
  'copilot-store': {
    kind: 'copilot-store',
    agentType: 'copilot-cli',
    subdirs: [],
    accepts: isCopilotStoreDb,
    parser: () => {
      throw new Error("Copilot CLI's session store is read by readCopilotStore, not by lines");
    },
    database: readCopilotStore,
  },
  opencode: {
    kind: 'opencode',
    agentType: 'opencode',
    subdirs: [],
    accepts: isOpencodeDb,
    parser: () => {
      throw new Error('an OpenCode database is read by readOpencodeDb, not by lines');
    },
    database: readOpencodeDb,
  },
  'opencode-json': {
    kind: 'opencode-json',
    agentType: 'opencode',
    // Versions before the database: one file per message (its parts and session beside).
    subdirs: ['storage/message'],
    accepts: isOpencodeMessageFile,
    // By message id, which grows with its creation: a fork's copies come after their originals.
    sortKey: (p) => path.basename(p),
    maxDepth: 1,
    wholeFile: () => true,
    parser: (file) => new OpencodeJsonParser(file),
  },
  'copilot-chat': {
    kind: 'copilot-chat',
    agentType: 'copilot-chat',
    // A VS Code user folder: each window's storage, and the empty windows' chats.
    subdirs: ['workspaceStorage', 'globalStorage/emptyWindowChatSessions'],
    accepts: isCopilotChatFile,
    maxDepth: 2,
    wholeFile: () => true,
    parser: (file) => new CopilotChatParser(file),
  },
};

/** Discovery order: main transcripts before the files that refer to them. */
export const LOG_KINDS: readonly LogKind[] = ['claude', 'codex', 'gemini', 'copilot', 'copilot-store', 'opencode', 'opencode-json', 'copilot-chat'];

/** Folders to read, by kind (a kind left out is not read). */
export type LogDirs = Partial<Record<LogKind, readonly string[]>>;
