import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runHooks, type CliIo } from '../../src/core/cli/hooks';
import { CLAUDE_COMMAND_EVENTS, CLAUDE_HTTP_EVENTS, claudeHooks, codexHooks, CODEX_EVENTS, isOurHandler } from '../../src/core/hooks/hookSettings';
import { parseSettings, SettingsFileError } from '../../src/core/hooks/settingsFile';
import { tmpDir } from '../helpers/tmp';

const ROOT = path.resolve(__dirname, '../..');

function setup(extraEnv: Record<string, string> = {}) {
  const home = tmpDir();
  const project = path.join(home, 'proj');
  fs.mkdirSync(project);
  // Claude Code counts as installed (its config folder exists), as doctor would say.
  fs.mkdirSync(path.join(home, '.claude'));
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    env: { HOME: home, ...extraEnv },
    cwd: project,
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  };
  const cli = async (...argv: string[]) => {
    out.length = 0;
    err.length = 0;
    const code = await runHooks(argv, io);
    return { code, out: out.join(''), err: err.join('') };
  };
  return { home, project, cli, claudeFile: path.join(home, '.claude/settings.json'), codexFile: path.join(home, '.codex/hooks.json') };
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, any>;

const USER_SETTINGS = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'] },
  hooks: {
    PreToolUse: [
      { matcher: 'Bash', hooks: [{ type: 'command', command: '~/bin/guard.sh', timeout: 10 }] },
    ],
    Stop: [{ hooks: [{ type: 'http', url: 'https://example.com/notify', timeout: 5 }] }],
    PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
  },
};

test('install into a missing file creates it with every event; a second install changes nothing', async () => {
  const s = setup();
  const r = await s.cli('install', '--agent', 'claude');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /added \d+ hooks/);
  const settings = readJson(s.claudeFile);
  assert.deepEqual(Object.keys(settings.hooks).sort(), [...CLAUDE_COMMAND_EVENTS, ...CLAUDE_HTTP_EVENTS].sort());
  assert.equal(settings.hooks.PreToolUse[0].hooks[0].url, 'http://127.0.0.1:3142/api/hooks/claude-code');
  assert.equal(settings.hooks.PreToolUse[0].matcher, '*');
  assert.equal(settings.hooks.PreToolUse[0].hooks[0].headers.Authorization, 'Bearer $AGENTMONITOR_TOKEN');
  const script = path.join(s.home, '.agentmonitor/hooks/agentmonitor-hook.sh');
  assert.equal(settings.hooks.SessionStart[0].hooks[0].command, `sh ${script} claude-code 3142`);
  assert.ok(fs.statSync(script).mode & 0o100, 'script is executable');
  assert.equal(fs.readFileSync(script, 'utf8'), fs.readFileSync(path.join(ROOT, 'hooks/claude-code/agentmonitor-hook.sh'), 'utf8'));
  const before = fs.readFileSync(s.claudeFile, 'utf8');
  const again = await s.cli('install', '--agent', 'claude');
  assert.equal(again.code, 0);
  assert.match(again.out, /already installed/);
  assert.equal(fs.readFileSync(s.claudeFile, 'utf8'), before);
  assert.ok(!fs.existsSync(`${s.claudeFile}.agentmonitor.bak`), 'nothing written, so no backup');
});

test('install keeps everyone else’s hooks and settings; uninstall restores them exactly', async () => {
  const s = setup();
  fs.mkdirSync(path.dirname(s.claudeFile), { recursive: true });
  const original = `${JSON.stringify(USER_SETTINGS, null, 2)}\n`;
  fs.writeFileSync(s.claudeFile, original);
  const r = await s.cli('install', '--agent', 'claude', '--port', '4000');
  assert.equal(r.code, 0, r.err);
  assert.equal(fs.readFileSync(`${s.claudeFile}.agentmonitor.bak`, 'utf8'), original);
  const settings = readJson(s.claudeFile);
  assert.equal(settings.model, 'opus');
  assert.deepEqual(settings.permissions, USER_SETTINGS.permissions);
  assert.deepEqual(settings.hooks.PreToolUse[0], USER_SETTINGS.hooks.PreToolUse[0]);
  assert.equal(settings.hooks.PreToolUse.length, 2);
  assert.equal(settings.hooks.PreToolUse[1].hooks[0].url, 'http://127.0.0.1:4000/api/hooks/claude-code');
  assert.deepEqual(settings.hooks.Stop[0], USER_SETTINGS.hooks.Stop[0]);
  assert.ok(!isOurHandler(USER_SETTINGS.hooks.Stop[0].hooks[0]), 'a foreign http hook is not ours');

  const moved = await s.cli('install', '--agent', 'claude', '--port', '4001');
  assert.equal(moved.code, 0);
  const updated = readJson(s.claudeFile);
  assert.equal(updated.hooks.PreToolUse.length, 2, 'a new port replaces our entry, never duplicates it');
  assert.equal(updated.hooks.PreToolUse[1].hooks[0].url, 'http://127.0.0.1:4001/api/hooks/claude-code');

  const u = await s.cli('uninstall', '--agent', 'claude');
  assert.equal(u.code, 0, u.err);
  assert.match(u.out, /removed \d+ AgentMonitor hooks/);
  assert.deepEqual(readJson(s.claudeFile), USER_SETTINGS);
  const u2 = await s.cli('uninstall', '--agent', 'claude');
  assert.match(u2.out, /no AgentMonitor hooks/);
});

test('a handler of ours mixed into someone else’s group is removed alone', async () => {
  const s = setup();
  fs.mkdirSync(path.dirname(s.claudeFile), { recursive: true });
  fs.writeFileSync(s.claudeFile, JSON.stringify({
    hooks: {
      Notification: [{ hooks: [{ type: 'command', command: 'notify-send hi' }, { type: 'http', url: 'http://localhost:3142/api/hooks/claude-code' }] }],
    },
  }));
  assert.equal((await s.cli('uninstall')).code, 0);
  assert.deepEqual(readJson(s.claudeFile), { hooks: { Notification: [{ hooks: [{ type: 'command', command: 'notify-send hi' }] }] } });
});

test('invalid JSON is reported with file, line and column and never overwritten', async () => {
  const s = setup();
  fs.mkdirSync(path.dirname(s.claudeFile), { recursive: true });
  const broken = '{\n  "model": "opus",\n  "hooks": {,\n}\n';
  fs.writeFileSync(s.claudeFile, broken);
  for (const action of ['install', 'uninstall']) {
    const r = await s.cli(action, '--agent', 'claude');
    assert.equal(r.code, 1);
    assert.ok(r.err.includes(`${s.claudeFile}:3:13`), r.err);
    assert.match(r.err, /invalid JSON/);
    assert.equal(fs.readFileSync(s.claudeFile, 'utf8'), broken);
    assert.ok(!fs.existsSync(`${s.claudeFile}.agentmonitor.bak`));
  }
  fs.writeFileSync(s.claudeFile, '{"hooks": []}');
  const shape = await s.cli('install', '--agent', 'claude');
  assert.equal(shape.code, 1);
  assert.match(shape.err, /"hooks" is not a JSON object/);
  assert.equal(fs.readFileSync(s.claudeFile, 'utf8'), '{"hooks": []}');
});

test('parseSettings: empty file is {}, a truncated file names its last line', () => {
  assert.deepEqual(parseSettings('f', ''), {});
  assert.throws(() => parseSettings('f.json', '{\n"a": 1,\n'), (e: unknown) => e instanceof SettingsFileError && e.line === 3);
  assert.throws(() => parseSettings('f.json', '[1]'), /top level/);
});

test('Codex: hooks.json under $CODEX_HOME, command hooks, warning when config.toml does not enable hooks', async () => {
  const codexHome = tmpDir();
  const s2 = setup({ CODEX_HOME: codexHome });
  const r = await s2.cli('install', '--agent', 'codex');
  assert.equal(r.code, 0, r.err);
  const file = path.join(codexHome, 'hooks.json');
  const hooks = readJson(file).hooks;
  assert.deepEqual(Object.keys(hooks), [...CODEX_EVENTS]);
  assert.match(hooks.PreToolUse[0].hooks[0].command, /agentmonitor-hook\.sh codex 3142$/);
  assert.match(r.out, /hooks = true/);
  fs.writeFileSync(path.join(codexHome, 'config.toml'), 'model = "gpt-5"\n[features]\nhooks = true\n[otel]\nx = 1\n');
  const again = await s2.cli('install', '--agent', 'codex');
  assert.doesNotMatch(again.out, /warning/);
  assert.equal((await s2.cli('install', '--agent', 'codex', '--scope', 'project')).code, 2);
});

test('project scope writes .claude/settings.json with a $HOME-relative script path; status reports both', async () => {
  const s = setup();
  const r = await s.cli('install', '--scope', 'project');
  assert.equal(r.code, 0, r.err);
  const file = path.join(s.project, '.claude/settings.json');
  assert.equal(readJson(file).hooks.SessionStart[0].hooks[0].command, 'sh "$HOME/.agentmonitor/hooks/agentmonitor-hook.sh" claude-code 3142');
  const user = await s.cli('install', '--agent', 'claude');
  assert.match(user.out, /also in .*\.claude\/settings\.json/);
  const st = await s.cli('status', '--agent', 'claude', '--scope', 'project', '--json');
  const parsed = JSON.parse(st.out);
  assert.equal(parsed.results[0].events.length, CLAUDE_COMMAND_EVENTS.length + CLAUDE_HTTP_EVENTS.length);
});

test("Gemini CLI: its settings.json keeps the user's settings; project scope writes .gemini/settings.json; --scope project with all leaves Codex out", async () => {
  const s = setup();
  fs.mkdirSync(path.join(s.home, '.gemini'));
  fs.mkdirSync(path.join(s.home, '.codex'));
  const userFile = path.join(s.home, '.gemini/settings.json');
  fs.writeFileSync(userFile, JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [{ type: 'command', command: '~/guard.sh' }] }] } }));
  const r = await s.cli('install', '--agent', 'gemini');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Gemini CLI \(user\): added 8 hooks to .*\.gemini\/settings\.json/);
  const user = readJson(userFile);
  assert.deepEqual(user.security, { auth: { selectedType: 'gemini-api-key' } });
  assert.deepEqual(user.hooks.BeforeTool.map((g: { matcher: string }) => g.matcher), ['run_shell_command', '*'], 'the user\'s own hook stays, ours beside it');
  assert.equal(user.hooks.SessionStart[0].hooks[0].command, `sh ${s.home}/.agentmonitor/hooks/agentmonitor-hook.sh gemini-cli 3142`);
  const all = await s.cli('install', '--scope', 'project');
  assert.equal(all.code, 0, all.err);
  assert.equal(readJson(path.join(s.project, '.gemini/settings.json')).hooks.AfterTool[0].hooks[0].command, 'sh "$HOME/.agentmonitor/hooks/agentmonitor-hook.sh" gemini-cli 3142');
  assert.ok(!fs.existsSync(path.join(s.home, '.codex/hooks.json')), 'Codex has no project scope: left out of all');
  const removed = await s.cli('uninstall', '--agent', 'gemini');
  assert.equal(removed.code, 0, removed.err);
  assert.deepEqual(readJson(userFile).hooks, { BeforeTool: [{ matcher: 'run_shell_command', hooks: [{ type: 'command', command: '~/guard.sh' }] }] });
});

test('usage errors exit 2 and name the problem', async () => {
  const s = setup();
  assert.match((await s.cli('frobnicate')).err, /unknown action/);
  assert.equal((await s.cli('install', '--agent', 'cursor')).code, 2);
  assert.equal((await s.cli('install', '--port', '70000')).code, 2);
  assert.equal((await s.cli('install', '--scope', 'global')).code, 2);
});

test('the shipped fragments are exactly what install writes for the default port', () => {
  const t = { port: 3142, scriptPath: '$HOME/.agentmonitor/hooks/agentmonitor-hook.sh' };
  assert.deepEqual(readJson(path.join(ROOT, 'hooks/claude-code/settings.fragment.json')), { hooks: claudeHooks(t) });
  assert.deepEqual(readJson(path.join(ROOT, 'hooks/codex/hooks.json')), { hooks: codexHooks(t) });
});

test('install --dry-run says what it would add or remove and writes nothing', async () => {
  const s = setup();
  const dry = await s.cli('install', '--agent', 'claude', '--dry-run');
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /^Claude Code \(user\): would add \d+ hooks to .*settings\.json \(dry run, nothing written\)\n$/);
  assert.ok(!fs.existsSync(s.claudeFile));
  assert.equal((await s.cli('install', '--agent', 'claude')).code, 0);
  const dryRemove = await s.cli('uninstall', '--agent', 'claude', '--dry-run');
  assert.match(dryRemove.out, /would remove \d+ AgentMonitor hooks from .* \(dry run, nothing written\)/);
  assert.ok(Object.keys(readJson(s.claudeFile).hooks).length > 0);
});

test('install for an agent that is not installed (no binary, no config folder) says so and needs --force', async () => {
  const s = setup();
  fs.rmdirSync(path.join(s.home, '.claude'));
  const r = await s.cli('install', '--agent', 'claude');
  assert.equal(r.code, 1);
  assert.match(r.err, /Claude Code is not installed \("claude" not on PATH, no .*\.claude\): no hooks written for it; install it first, or add --force/);
  assert.ok(!fs.existsSync(s.claudeFile), 'nothing written');
  const codex = await s.cli('install', '--agent', 'codex');
  assert.equal(codex.code, 1);
  assert.match(codex.err, /Codex is not installed/);
  assert.ok(!fs.existsSync(s.codexFile));
  const forced = await s.cli('install', '--agent', 'claude', '--force');
  assert.equal(forced.code, 0, forced.err);
  assert.ok(fs.existsSync(s.claudeFile));
});

test('install for all agents (the default) skips one that is not installed, and fails only when none is', async () => {
  const s = setup();
  fs.rmdirSync(path.join(s.home, '.claude'));
  fs.mkdirSync(path.join(s.home, '.codex'));
  const r = await s.cli('install');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /Claude Code is not installed .*no hooks written for it/);
  assert.match(r.out, /^Codex \(user\): added \d+ hooks/m);
  assert.ok(!fs.existsSync(s.claudeFile), 'no Claude Code settings written');
  assert.ok(fs.existsSync(s.codexFile));
  fs.rmSync(path.join(s.home, '.codex'), { recursive: true });
  const none = await s.cli('install');
  assert.equal(none.code, 1, 'no agent installed: nothing to do is an error');
  assert.match(none.err, /Claude Code is not installed/);
});

test('install makes "agentmonitor statusline" the status line, chaining one the user had; --no-statusline leaves it; uninstall gives it back', async () => {
  const s = setup();
  const mine = { type: 'command', command: '~/.claude/statusline-command.sh', padding: 0 };
  fs.writeFileSync(s.claudeFile, `${JSON.stringify({ model: 'opus', statusLine: mine }, null, 2)}\n`);
  const original = fs.readFileSync(s.claudeFile, 'utf8');
  const skipped = await s.cli('install', '--agent', 'claude', '--no-statusline');
  assert.equal(skipped.code, 0, skipped.err);
  assert.deepEqual(readJson(s.claudeFile).statusLine, mine);
  assert.equal((await s.cli('uninstall', '--agent', 'claude')).code, 0);

  const r = await s.cli('install', '--agent', 'claude', '--port', '4000');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /your status-line command keeps running, now through "agentmonitor statusline" \(uninstall puts it back\): ~\/\.claude\/statusline-command\.sh/);
  const sl = readJson(s.claudeFile).statusLine;
  assert.match(sl.command, / statusline --port 4000 --chain [A-Za-z0-9_-]+$/);
  assert.equal(sl.padding, 0);
  const status = await s.cli('status', '--agent', 'claude');
  assert.match(status.out, /status line: ours/);
  const u = await s.cli('uninstall', '--agent', 'claude');
  assert.equal(u.code, 0, u.err);
  assert.match(u.out, /status line: your own command is back: ~\/\.claude\/statusline-command\.sh/);
  assert.equal(fs.readFileSync(s.claudeFile, 'utf8'), original);

  fs.writeFileSync(s.claudeFile, JSON.stringify({ statusLine: 'echo hi' }));
  const refused = await s.cli('install', '--agent', 'claude');
  assert.equal(refused.code, 0, 'the hooks are installed all the same');
  assert.match(refused.out, /warning: .*settings\.json: its statusLine is not an object, not a command AgentMonitor can run before its own: left unchanged/);
  assert.equal(readJson(s.claudeFile).statusLine, 'echo hi');
});

test('run by VS Code (Electron as node), the status-line command sets ELECTRON_RUN_AS_NODE, or Claude Code would start an editor', async () => {
  const s = setup({ ELECTRON_RUN_AS_NODE: '1' });
  const r = await s.cli('install', '--agent', 'claude');
  assert.equal(r.code, 0, r.err);
  const command = readJson(s.claudeFile).statusLine.command as string;
  assert.ok(command.startsWith(`ELECTRON_RUN_AS_NODE=1 ${process.execPath} `), command);
  assert.match(command, / statusline --port 3142$/);
  assert.equal((await s.cli('install', '--agent', 'claude')).out.includes('already installed'), true, 'recognised as ours');
});
