/**
 * Runs the real Claude Code and Codex CLIs (installed by installAgents.mjs into cli/node_modules)
 * in temporary homes, against a model API on loopback, with every wait bounded.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const cliDir = path.join(__dirname, 'cli');

export const CLAUDE_MODEL = 'claude-sonnet-4-5-20250929';
export const CODEX_MODEL = 'gpt-5-codex';

export interface AgentBinaries { claude: string; codex: string }

/** Paths of the installed CLIs, or a reason why they are not there. */
export function findAgentBinaries(): AgentBinaries | string {
  const claude = path.join(cliDir, 'node_modules', '.bin', 'claude');
  const codex = path.join(cliDir, 'node_modules', '.bin', 'codex');
  const missing = [claude, codex].filter((p) => !fs.existsSync(p));
  if (missing.length) return `agent CLIs not installed (${missing.join(', ')}); run: node test/e2e/agents/installAgents.mjs`;
  return { claude, codex };
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  timedOut: boolean;
}

export function runProcess(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const cap = 8 * 1024 * 1024;
    child.stdout.on('data', (c: Buffer) => { if (stdout.length < cap) stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { if (stderr.length < cap) stderr += c.toString('utf8'); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr, wallMs, timedOut });
    });
  });
}

/** A tiny git project for the agents to work in. */
export async function makeProject(dir: string): Promise<string> {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), '# Probe project\nA tiny project used to capture agent telemetry.\n');
  fs.writeFileSync(path.join(dir, 'src', 'main.py'), 'print("hello")\n');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.invalid', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.invalid' };
  for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-q', '-m', 'init']]) {
    const r = await runProcess('git', args, { cwd: dir, env, timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  }
  return dir;
}

/** Environment with nothing of the caller's agent or telemetry settings leaking in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ANTHROPIC_|CLAUDE|OTEL_|CODEX_|OPENAI_|AGENTMONITOR_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export interface ClaudeRun extends ProcessResult {
  lines: Record<string, unknown>[];
  /** The stream-json `result` line. */
  result: ClaudeResultLine | null;
  sessionId: string | null;
}

export interface ClaudeResultLine {
  type: 'result';
  subtype: string;
  is_error: boolean;
  /** The final answer text. */
  result: string;
  session_id: string;
  total_cost_usd: number;
  num_turns: number;
  modelUsage: Record<string, { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; costUSD: number }>;
}

export interface ClaudeOptions {
  bin: string;
  home: string;
  cwd: string;
  apiUrl: string;
  prompt: string;
  /** CLAUDE_CONFIG_DIR; defaults to `$HOME/.claude`. */
  configDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function claudeEnv(o: Pick<ClaudeOptions, 'home' | 'apiUrl' | 'configDir' | 'env'>): NodeJS.ProcessEnv {
  return cleanEnv({
    HOME: o.home,
    ...(o.configDir ? { CLAUDE_CONFIG_DIR: o.configDir } : {}),
    ANTHROPIC_API_KEY: 'sk-fake',
    ANTHROPIC_BASE_URL: o.apiUrl,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    ...o.env,
  });
}

/** `claude -p` as the issue gives it: headless, the tools the script uses allowed, stream-json out. */
export function claudeArgs(prompt: string): string[] {
  return ['-p', prompt, '--model', CLAUDE_MODEL, '--allowedTools', 'Bash,Read,Glob,Grep,Agent,Task', '--output-format', 'stream-json', '--verbose'];
}

export async function runClaude(o: ClaudeOptions): Promise<ClaudeRun> {
  const r = await runProcess(o.bin, claudeArgs(o.prompt), { cwd: o.cwd, env: claudeEnv(o), timeoutMs: o.timeoutMs ?? 90_000 });
  const lines = parseJsonLines(r.stdout);
  const result = (lines.find((l) => l.type === 'result') ?? null) as ClaudeResultLine | null;
  const init = lines.find((l) => l.type === 'system' && l.subtype === 'init');
  const sessionId = result?.session_id ?? (typeof init?.session_id === 'string' ? init.session_id : null);
  return { ...r, lines, result, sessionId };
}

export interface CodexRun extends ProcessResult {
  lines: Record<string, unknown>[];
  threadId: string | null;
  /** `turn.completed` usage lines. */
  turnUsages: { input_tokens: number; cached_input_tokens: number; output_tokens: number; reasoning_output_tokens: number }[];
}

export interface CodexConfigOptions {
  codexHome: string;
  apiUrl: string;
  /** Extra TOML appended as is (e.g. the `[otel]` table). */
  extraToml?: string;
}

/** config.toml for a loopback model provider that keeps Codex away from every outside host. */
export function writeCodexConfig(o: CodexConfigOptions): string {
  fs.mkdirSync(o.codexHome, { recursive: true });
  const toml = `model = "${CODEX_MODEL}"
model_provider = "fake"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.fake]
name = "Fake loopback"
base_url = "${o.apiUrl}/v1"
wire_api = "responses"
env_key = "FAKE_OPENAI_API_KEY"
request_max_retries = 0
stream_max_retries = 0

[features]
plugins = false
remote_plugin = false
plugin_sharing = false
apps = false
tool_suggest = false
skill_mcp_dependency_install = false
in_app_updates = false

[analytics]
enabled = false

[feedback]
enabled = false
${o.extraToml ? `\n${o.extraToml}\n` : ''}`;
  const file = path.join(o.codexHome, 'config.toml');
  fs.writeFileSync(file, toml);
  return file;
}

export interface CodexOptions {
  bin: string;
  home: string;
  codexHome: string;
  cwd: string;
  prompt: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** `codex exec` non-interactively, approvals, sandbox and hook trust bypassed, JSON lines out. */
export function codexArgs(prompt: string): string[] {
  return ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--dangerously-bypass-hook-trust', '--json', prompt];
}

export function codexEnv(o: Pick<CodexOptions, 'home' | 'codexHome' | 'env'>): NodeJS.ProcessEnv {
  return cleanEnv({ HOME: o.home, CODEX_HOME: o.codexHome, FAKE_OPENAI_API_KEY: 'sk-fake', ...o.env });
}

export async function runCodex(o: CodexOptions): Promise<CodexRun> {
  const r = await runProcess(o.bin, codexArgs(o.prompt), { cwd: o.cwd, env: codexEnv(o), timeoutMs: o.timeoutMs ?? 90_000 });
  const lines = parseJsonLines(r.stdout);
  const started = lines.find((l) => l.type === 'thread.started');
  const turnUsages = lines.filter((l) => l.type === 'turn.completed').map((l) => l.usage as CodexRun['turnUsages'][number]);
  return { ...r, lines, threadId: typeof started?.thread_id === 'string' ? started.thread_id : null, turnUsages };
}

export function parseJsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      // a non-JSON line in the output is not ours to judge here
    }
  }
  return out;
}

/** Rollout files Codex wrote under `$CODEX_HOME/sessions`. */
export function findFiles(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return findFiles(p, pattern);
    return pattern.test(d.name) ? [p] : [];
  });
}

export const GEMINI_MODEL = 'gemini-2.5-pro';

/** The installed Gemini CLI, or why it is not there. */
export function findGeminiBinary(): string | { missing: string } {
  const bin = path.join(cliDir, 'node_modules', '.bin', 'gemini');
  return fs.existsSync(bin) ? bin : { missing: `Gemini CLI not installed (${bin}); run: node test/e2e/agents/installAgents.mjs` };
}

/** What `gemini -p … -o json` prints: its session id, answer and its own token accounting. */
export interface GeminiJsonOutput {
  session_id: string;
  response: string;
  stats: { models: Record<string, { api: { totalRequests: number }; tokens: { prompt: number; candidates: number; cached: number; thoughts: number; tool: number } }> };
}

export interface GeminiRun extends ProcessResult {
  json: GeminiJsonOutput | null;
}

export interface GeminiOptions {
  bin: string;
  home: string;
  cwd: string;
  apiUrl: string;
  prompt: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * `~/.gemini/settings.json` of a user with a Gemini API key: the key's auth selected (with only
 * GOOGLE_GEMINI_BASE_URL set the CLI picks its "gateway" auth, which non-interactive runs refuse
 * as "Invalid auth method selected"), usage statistics off.
 */
export function writeGeminiSettings(home: string, extra: Record<string, unknown> = {}): string {
  const dir = path.join(home, '.gemini');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, privacy: { usageStatisticsEnabled: false }, ...extra }, null, 2));
  return file;
}

/**
 * `gemini -p` headless: tools approved (`--yolo`; the temp folder trusted by
 * GEMINI_CLI_TRUST_WORKSPACE, without which headless runs stop), the model named (no router, whose
 * classifier calls would be extra requests), JSON out.
 */
export function geminiArgs(prompt: string): string[] {
  return ['-p', prompt, '--yolo', '-m', GEMINI_MODEL, '-o', 'json'];
}

export function geminiEnv(o: Pick<GeminiOptions, 'home' | 'apiUrl' | 'env'>): NodeJS.ProcessEnv {
  const env = cleanEnv({ HOME: o.home, GEMINI_API_KEY: 'fake', GOOGLE_GEMINI_BASE_URL: o.apiUrl, GEMINI_CLI_TRUST_WORKSPACE: 'true', ...o.env });
  for (const k of Object.keys(env)) if (/^(GEMINI_|GOOGLE_)/.test(k) && !(k in (o.env ?? {})) && !['GEMINI_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'GEMINI_CLI_TRUST_WORKSPACE'].includes(k)) delete env[k];
  return env;
}

export async function runGemini(o: GeminiOptions): Promise<GeminiRun> {
  const r = await runProcess(o.bin, geminiArgs(o.prompt), { cwd: o.cwd, env: geminiEnv(o), timeoutMs: o.timeoutMs ?? 90_000 });
  let json: GeminiJsonOutput | null = null;
  const start = r.stdout.indexOf('{');
  if (start >= 0) {
    try {
      json = JSON.parse(r.stdout.slice(start)) as GeminiJsonOutput;
    } catch {
      json = null;
    }
  }
  return { ...r, json };
}

export const COPILOT_MODEL = 'claude-sonnet-4.6';

/** The installed Copilot CLI, or why it is not there. */
export function findCopilotBinary(): string | { missing: string } {
  const bin = path.join(cliDir, 'node_modules', '.bin', 'copilot');
  return fs.existsSync(bin) ? bin : { missing: `Copilot CLI not installed (${bin}); run: node test/e2e/agents/installAgents.mjs` };
}

export interface CopilotOptions {
  bin: string;
  home: string;
  cwd: string;
  /** The fake API's root; the CLI is pointed at `<apiUrl>/copilot` as an Anthropic provider. */
  apiUrl: string;
  prompt: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * `copilot -p` headless (`--allow-all-tools`, which non-interactive runs require), offline
 * (COPILOT_OFFLINE: no GitHub sign-in, telemetry, web tools or update check) with its BYOK provider
 * on loopback: COPILOT_PROVIDER_BASE_URL + COPILOT_PROVIDER_TYPE=anthropic. XDG_CACHE_HOME is the
 * one the installer unpacked the CLI into (it unpacks itself on a first run into
 * `$XDG_CACHE_HOME/copilot`, 235 MB).
 */
export function copilotEnv(o: Pick<CopilotOptions, 'home' | 'apiUrl' | 'env'>): NodeJS.ProcessEnv {
  const env = cleanEnv({
    HOME: o.home,
    XDG_CACHE_HOME: path.join(cliDir, 'node_modules', '.copilot-cache'),
    COPILOT_OFFLINE: 'true',
    COPILOT_PROVIDER_BASE_URL: `${o.apiUrl}/copilot`,
    COPILOT_PROVIDER_TYPE: 'anthropic',
    COPILOT_PROVIDER_API_KEY: 'fake',
    COPILOT_MODEL,
    ...o.env,
  });
  for (const k of Object.keys(env)) if (/^(GH_|GITHUB_|COPILOT_GITHUB_)/.test(k)) delete env[k];
  return env;
}

export function copilotArgs(prompt: string): string[] {
  return ['-p', prompt, '--allow-all-tools', '--no-color'];
}

export function runCopilot(o: CopilotOptions): Promise<ProcessResult> {
  return runProcess(o.bin, copilotArgs(o.prompt), { cwd: o.cwd, env: copilotEnv(o), timeoutMs: o.timeoutMs ?? 120_000 });
}

/** The model OpenCode is configured with: a name our price table knows, on a custom provider. */
export const OPENCODE_MODEL = 'gpt-5';
/** The prices OpenCode is told for it (USD per M: input, output, cache read), as ours for gpt-5. */
export const OPENCODE_MODEL_COST = { input: 1.25, output: 10, cache_read: 0.125 };

/** The installed OpenCode, or why it is not there. */
export function findOpencodeBinary(): string | { missing: string } {
  const bin = path.join(cliDir, 'node_modules', '.bin', 'opencode');
  return fs.existsSync(bin) ? bin : { missing: `OpenCode not installed (${bin}); run: node test/e2e/agents/installAgents.mjs` };
}

/**
 * The project's `opencode.json`: a custom provider `fakeai` on `@ai-sdk/openai-compatible` (bundled
 * in the binary, so nothing is installed) whose `baseURL` is the fake API on loopback.
 */
export function writeOpencodeConfig(project: string, apiUrl: string): string {
  const file = path.join(project, 'opencode.json');
  fs.writeFileSync(file, JSON.stringify({
    provider: { fakeai: { npm: '@ai-sdk/openai-compatible', name: 'Fake AI', options: { baseURL: `${apiUrl}/v1`, apiKey: 'fake' },
      models: { [OPENCODE_MODEL]: { name: 'GPT-5 (fake)', cost: OPENCODE_MODEL_COST } } } },
    model: `fakeai/${OPENCODE_MODEL}`,
    autoupdate: false,
    share: 'disabled',
    permission: { '*': 'allow' },
  }, null, 2));
  return file;
}

export interface OpencodeOptions {
  bin: string;
  home: string;
  cwd: string;
  prompt: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * OpenCode offline, its folders under `home` (XDG_*: data in `$XDG_DATA_HOME/opencode`). Without
 * these it would fetch models.dev's model list (OPENCODE_DISABLE_MODELS_FETCH) and check for updates;
 * at start it installs `@opencode-ai/plugin` into its config folder in the background with npm's
 * own client (Arborist), which reads npm's config from the environment: offline and a registry on
 * a closed loopback port make that fail at once (OpenCode logs it and goes on). PWD must be the
 * project: OpenCode takes its directory (and so its project config) from it, not from the process's
 * working directory.
 */
export function opencodeEnv(o: Pick<OpencodeOptions, 'home' | 'cwd' | 'env'>): NodeJS.ProcessEnv {
  const env = cleanEnv({
    HOME: o.home,
    // OpenCode takes its working directory from PWD when it is set (the caller's, inherited).
    PWD: o.cwd,
    XDG_DATA_HOME: path.join(o.home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(o.home, '.config'),
    XDG_CACHE_HOME: path.join(o.home, '.cache'),
    XDG_STATE_HOME: path.join(o.home, '.local', 'state'),
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    ...o.env,
  });
  for (const k of Object.keys(env)) if (/^OPENCODE_(?!DISABLE_)/.test(k)) delete env[k];
  return env;
}

/** `--title` names the session, so OpenCode makes no title call to its small model. */
export function opencodeArgs(prompt: string): string[] {
  return ['run', '--title', 'e2e probe', '--format', 'json', prompt];
}

export function runOpencode(o: OpencodeOptions): Promise<ProcessResult> {
  return runProcess(o.bin, opencodeArgs(o.prompt), { cwd: o.cwd, env: opencodeEnv(o), timeoutMs: o.timeoutMs ?? 120_000 });
}
