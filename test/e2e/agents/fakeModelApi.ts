/**
 * A model API on loopback that the real Claude Code and Codex CLIs talk to instead of the vendors'.
 * It plays a fixed script (tool calls, a failing tool, a subagent) and remembers exactly which
 * token usage it reported, so a test can compare AgentMonitor's totals with the truth.
 *
 * Claude Code: `HEAD /`, `POST /v1/messages?beta=true` answered with Anthropic Messages SSE.
 * Codex: `POST /v1/responses` answered with Responses API SSE; everything else (analytics) 404.
 * Gemini CLI: `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` answered with Gemini API
 * SSE (`GenerateContentResponse` chunks, `usageMetadata` on the last); `:generateContent` (the
 * CLI's side calls, e.g. its model router's classifier) answered with JSON and recorded apart.
 * Copilot CLI (its BYOK provider, `COPILOT_PROVIDER_TYPE=anthropic`, base URL `<url>/copilot`):
 * `POST /copilot/v1/messages` answered with Anthropic Messages SSE from its own script.
 * OpenCode (a custom provider on `@ai-sdk/openai-compatible`): `POST /v1/chat/completions`
 * answered with Chat Completions SSE, `usage` in the last chunk; a sub-agent's conversation (the
 * task tool's child session) is recognised by `SUBAGENT_MARK` in its first user message.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Usage as the Anthropic API reports it for one response (message_start merged with message_delta). */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Usage as the Responses API reports it in `response.completed`. */
export interface OpenAiUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export interface ClaudeReply {
  messageId: string;
  requestId: string;
  sessionId: string | null;
  /** Set inside a subagent (`x-claude-code-agent-id`). */
  agentId: string | null;
  model: string;
  step: string;
  usage: AnthropicUsage;
  /** The tool calls this reply asked for. */
  toolUses: ToolCall[];
}

export interface ToolCall {
  /** Claude `tool_use_id`, Codex `call_id`. */
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface CodexReply {
  responseId: string;
  sessionId: string | null;
  model: string;
  step: string;
  usage: OpenAiUsage;
  toolCalls: ToolCall[];
}

/** `usageMetadata` as the Gemini API reports it for one response. */
export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  cachedContentTokenCount: number;
  thoughtsTokenCount: number;
}

export interface GeminiReply {
  model: string;
  step: string;
  /** Whether it answered `streamGenerateContent` (a chat turn) or `generateContent` (a side call). */
  stream: boolean;
  usage: GeminiUsage;
  toolCalls: ToolCall[];
}

export interface CopilotReply {
  messageId: string;
  model: string;
  step: string;
  usage: AnthropicUsage;
  toolCalls: ToolCall[];
}

/** `usage` as the Chat Completions API reports it (the stream's last chunk). */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
}

export interface OpencodeReply {
  model: string;
  step: string;
  subagent: boolean;
  usage: ChatUsage;
  toolCalls: ToolCall[];
}

export interface RecordedRequest {
  method: string;
  url: string;
  status: number;
}

export interface FakeModelApi {
  url: string;
  port: number;
  /** The usage Claude replies report (default `claudeUsage`: small, step-dependent numbers). */
  claudeUsage: (stepIndex: number, subagent: boolean) => AnthropicUsage;
  /**
   * Extra headers on every Claude reply, e.g. the plan's `anthropic-ratelimit-unified-5h-utilization`
   * / `-reset` that Claude Code reads when signed in to claude.ai.
   */
  claudeHeaders: Record<string, string>;
  claudeReplies: ClaudeReply[];
  codexReplies: CodexReply[];
  geminiReplies: GeminiReply[];
  copilotReplies: CopilotReply[];
  opencodeReplies: OpencodeReply[];
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The prompt that makes the main Claude agent run the scripted conversation. */
export const CLAUDE_PROMPT = 'list the files';
/** Marker in the subagent's prompt; the fake recognises the subagent's conversation by it. */
export const SUBAGENT_MARK = 'SUBAGENT_PROBE';
export const SUBAGENT_PROMPT = `${SUBAGENT_MARK}: run wc -c README.md and report`;
export const CODEX_PROMPT = 'list the files';
export const MISSING_FILE = 'does-not-exist.txt';
/** The scripted final answer of both agents. */
export const FINAL_ANSWER = 'The project contains README.md and src/main.py.';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;
type Block = Json & { type: string };
interface Message { role: string; content: string | Block[] }

let counter = 0;
function fakeId(prefix: string): string {
  counter += 1;
  return `${prefix}_fake${process.pid.toString(36)}${counter.toString(36).padStart(4, '0')}`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sse(res: http.ServerResponse, events: [string, Json][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function textOf(content: string | Block[]): string {
  if (typeof content === 'string') return content;
  return content.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n');
}

/** Distinct, step-dependent numbers so a double count or a missed request changes every total. */
function claudeUsage(stepIndex: number, subagent: boolean): AnthropicUsage {
  const k = stepIndex + (subagent ? 10 : 0);
  return {
    input_tokens: 180 + 17 * k,
    output_tokens: 40 + 11 * k,
    cache_creation_input_tokens: 1500 + 23 * k,
    cache_read_input_tokens: 14000 + 101 * k,
  };
}

function codexUsage(stepIndex: number): OpenAiUsage {
  return {
    input_tokens: 2500 + 31 * stepIndex,
    cached_input_tokens: 1536 + 512 * stepIndex,
    output_tokens: 57 + 9 * stepIndex,
    reasoning_output_tokens: 21 + 3 * stepIndex,
  };
}

interface ClaudeStep { name: string; blocks: Block[] }

function claudeScript(messages: Message[], cwd: string | null): ClaudeStep[] {
  const first = messages[0];
  const isSubagent = first !== undefined && first.role === 'user' && textOf(first.content).includes(SUBAGENT_MARK);
  const dir = cwd ?? '.';
  if (isSubagent) {
    return [
      { name: 'sub-bash', blocks: [
        { type: 'text', text: 'Counting bytes.' },
        { type: 'tool_use', name: 'Bash', input: { command: 'wc -c README.md', description: 'Count bytes in README' } },
      ] },
      { name: 'sub-final', blocks: [{ type: 'text', text: 'README.md has a few dozen bytes.' }] },
    ];
  }
  return [
    { name: 'bash', blocks: [
      { type: 'text', text: "I'll list the files." },
      { type: 'tool_use', name: 'Bash', input: { command: 'ls -la', description: 'List files in project' } },
    ] },
    { name: 'reads', blocks: [
      { type: 'tool_use', name: 'Read', input: { file_path: `${dir}/README.md` } },
      { type: 'tool_use', name: 'Read', input: { file_path: `${dir}/${MISSING_FILE}` } },
    ] },
    { name: 'agent', blocks: [
      { type: 'tool_use', name: 'Agent', input: { description: 'Count README bytes', prompt: SUBAGENT_PROMPT, subagent_type: 'general-purpose' } },
    ] },
    { name: 'final', blocks: [{ type: 'text', text: FINAL_ANSWER }] },
  ];
}

/** The working directory Claude Code states in its system reminder, so Read gets absolute paths. */
function claudeCwd(body: Json): string | null {
  const hay = JSON.stringify(body.system ?? '') + JSON.stringify(body.messages ?? '');
  const m = /(?:Primary working directory|Working directory): ([^\s\\"]+)/.exec(hay);
  return m ? m[1] : null;
}

function answerClaude(req: http.IncomingMessage, res: http.ServerResponse, body: Json, api: FakeModelApi): void {
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5-20250929';
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const script = hasTools ? claudeScript(messages, claudeCwd(body)) : [{ name: 'side-request', blocks: [{ type: 'text', text: 'ok' }] }];
  const assistantTurns = messages.filter((m) => m.role === 'assistant').length;
  const stepIndex = Math.min(assistantTurns, script.length - 1);
  const step = script[stepIndex];
  const subagent = step.name.startsWith('sub-');
  const usage = api.claudeUsage(stepIndex, subagent);
  const messageId = fakeId('msg');
  const requestId = fakeId('req');
  const header = (n: string): string | null => {
    const v = req.headers[n];
    return typeof v === 'string' ? v : null;
  };
  const blocks = step.blocks.map((b) => (b.type === 'tool_use' ? { ...b, id: fakeId('toolu') } : b));
  api.claudeReplies.push({
    messageId, requestId, model, step: step.name, usage,
    sessionId: header('x-claude-code-session-id'), agentId: header('x-claude-code-agent-id'),
    toolUses: blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: String(b.id), name: String(b.name), input: b.input as Json })),
  });
  const stopReason = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const startUsage = { ...usage, output_tokens: 1, service_tier: 'standard',
    cache_creation: { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 } };
  res.setHeader('request-id', requestId);
  for (const [name, value] of Object.entries(api.claudeHeaders)) res.setHeader(name, value);
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: messageId, type: 'message', role: 'assistant', model, content: blocks,
      stop_reason: stopReason, stop_sequence: null, usage: { ...startUsage, output_tokens: usage.output_tokens } }));
    return;
  }
  const events: [string, Json][] = [['message_start', { type: 'message_start', message: {
    id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: startUsage,
  } }]];
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } }]);
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } }]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  sse(res, events);
}

interface CodexStep { name: string; items: Json[] }

function codexScript(toolNames: string[], cwd: string | null): CodexStep[] {
  const call = (command: string): Json => {
    const callId = fakeId('call');
    if (toolNames.includes('exec_command') || !toolNames.includes('shell')) {
      return { type: 'function_call', id: fakeId('fc'), status: 'completed', name: 'exec_command', call_id: callId,
        arguments: JSON.stringify(cwd ? { cmd: command, workdir: cwd } : { cmd: command }) };
    }
    return { type: 'function_call', id: fakeId('fc'), status: 'completed', name: 'shell', call_id: callId,
      arguments: JSON.stringify({ command: ['bash', '-lc', command], ...(cwd ? { workdir: cwd } : {}) }) };
  };
  const reasoning = (text: string): Json => ({ type: 'reasoning', id: fakeId('rs'), summary: [{ type: 'summary_text', text }], content: null, encrypted_content: null });
  return [
    { name: 'shell', items: [reasoning('**Listing files**'), call('ls -la')] },
    { name: 'failing-shell', items: [reasoning('**Reading a missing file**'), call(`cat ${MISSING_FILE}`)] },
    { name: 'final', items: [reasoning('**Summarising**'), { type: 'message', id: fakeId('msg'), status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', text: FINAL_ANSWER, annotations: [] }] }] },
  ];
}

function codexCwd(body: Json): string | null {
  const m = /<cwd>([^<]+)<\/cwd>/.exec(JSON.stringify(body.input ?? ''));
  return m ? m[1] : null;
}

function answerCodex(res: http.ServerResponse, body: Json, api: FakeModelApi): void {
  const input = Array.isArray(body.input) ? (body.input as Json[]) : [];
  const model = typeof body.model === 'string' ? body.model : 'gpt-5-codex';
  const toolNames = Array.isArray(body.tools) ? (body.tools as Json[]).map((t) => String(t.name ?? t.type)) : [];
  const script = codexScript(toolNames, codexCwd(body));
  const outputs = input.filter((i) => i.type === 'function_call_output').length;
  const stepIndex = Math.min(outputs, script.length - 1);
  const step = script[stepIndex];
  const usage = codexUsage(stepIndex);
  const responseId = fakeId('resp');
  const meta = (body.client_metadata ?? {}) as Json;
  api.codexReplies.push({ responseId, model, step: step.name, usage,
    sessionId: typeof meta.session_id === 'string' ? meta.session_id : null,
    toolCalls: step.items.filter((i) => i.type === 'function_call').map((i) => ({
      id: String(i.call_id), name: String(i.name), input: JSON.parse(String(i.arguments)) as Json })) });
  const base = { id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'in_progress', output: [] as Json[] };
  const events: [string, Json][] = [['response.created', { type: 'response.created', response: base }]];
  step.items.forEach((item, output_index) => {
    events.push(['response.output_item.added', { type: 'response.output_item.added', output_index, item }]);
    if (item.type === 'message') {
      const text = String(((item.content as Json[])[0]).text);
      events.push(['response.output_text.delta', { type: 'response.output_text.delta', item_id: item.id, output_index, content_index: 0, delta: text }]);
    }
    events.push(['response.output_item.done', { type: 'response.output_item.done', output_index, item }]);
  });
  events.push(['response.completed', { type: 'response.completed', response: { ...base, status: 'completed', output: step.items, usage: {
    input_tokens: usage.input_tokens,
    input_tokens_details: { cached_tokens: usage.cached_input_tokens },
    output_tokens: usage.output_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_output_tokens },
    total_tokens: usage.input_tokens + usage.output_tokens,
  } } }]);
  sse(res, events);
}

function geminiUsage(stepIndex: number): GeminiUsage {
  return {
    promptTokenCount: 3100 + 37 * stepIndex,
    candidatesTokenCount: 45 + 7 * stepIndex,
    cachedContentTokenCount: 1024 + 256 * stepIndex,
    thoughtsTokenCount: 13 + 5 * stepIndex,
  };
}

interface GeminiStep { name: string; parts: Json[] }

function geminiScript(): GeminiStep[] {
  const call = (name: string, args: Json): Json => ({ functionCall: { id: fakeId('gcall'), name, args } });
  return [
    { name: 'list', parts: [{ text: 'Listing the files.' }, call('list_directory', { dir_path: '.' })] },
    { name: 'failing-read', parts: [call('read_file', { file_path: MISSING_FILE })] },
    { name: 'final', parts: [{ text: FINAL_ANSWER }] },
  ];
}

function answerGemini(res: http.ServerResponse, model: string, stream: boolean, body: Json, api: FakeModelApi): void {
  const contents = Array.isArray(body.contents) ? (body.contents as Json[]) : [];
  const responses = contents.filter((c) => JSON.stringify(c.parts ?? []).includes('"functionResponse"')).length;
  const script = geminiScript();
  const step: GeminiStep = stream ? script[Math.min(responses, script.length - 1)] : { name: 'side-call', parts: [{ text: '{"reasoning": "simple", "model_choice": "flash"}' }] };
  const usage = geminiUsage(stream ? script.indexOf(step) : 9);
  const total = usage.promptTokenCount + usage.candidatesTokenCount + usage.thoughtsTokenCount;
  api.geminiReplies.push({ model, step: step.name, stream, usage,
    toolCalls: step.parts.filter((p) => p.functionCall).map((p) => {
      const f = p.functionCall as Json;
      return { id: String(f.id), name: String(f.name), input: f.args as Json };
    }) });
  const last = { candidates: [{ content: { role: 'model', parts: step.parts.slice(-1) }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { ...usage, totalTokenCount: total }, modelVersion: model, responseId: fakeId('gresp') };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(last));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (step.parts.length > 1) {
    res.write(`data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: step.parts.slice(0, -1) }, index: 0 }], modelVersion: model })}\r\n\r\n`);
  }
  res.end(`data: ${JSON.stringify(last)}\r\n\r\n`);
}

/** Distinct from the Claude numbers, cache writes included: Copilot's inputTokens add both cache figures. */
function copilotUsage(stepIndex: number): AnthropicUsage {
  return {
    input_tokens: 230 + 19 * stepIndex,
    output_tokens: 33 + 8 * stepIndex,
    cache_creation_input_tokens: 700 + 41 * stepIndex,
    cache_read_input_tokens: 9000 + 97 * stepIndex,
  };
}

function copilotScript(cwd: string): ClaudeStep[] {
  return [
    { name: 'bash', blocks: [
      { type: 'text', text: "I'll list the files." },
      { type: 'tool_use', name: 'bash', input: { command: 'ls', description: 'List files' } },
    ] },
    { name: 'failing-view', blocks: [{ type: 'tool_use', name: 'view', input: { path: `${cwd}/${MISSING_FILE}` } }] },
    { name: 'final', blocks: [{ type: 'text', text: FINAL_ANSWER }] },
  ];
}

/** Copilot CLI states its working directory in the system prompt. */
function copilotCwd(body: Json): string {
  const m = /Current working directory: ([^\s\\"]+)/.exec(JSON.stringify(body.system ?? ''));
  return m ? m[1] : '/nonexistent';
}

function answerCopilot(res: http.ServerResponse, body: Json, api: FakeModelApi): void {
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4.6';
  const script = copilotScript(copilotCwd(body));
  // Each tool result sent back moves the script on; one user prompt per run.
  const results = messages.filter((m) => Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_result')).length;
  const stepIndex = Math.min(results, script.length - 1);
  const step = script[stepIndex];
  const usage = copilotUsage(stepIndex);
  const messageId = fakeId('msg');
  const blocks = step.blocks.map((b) => (b.type === 'tool_use' ? { ...b, id: fakeId('toolu') } : b));
  api.copilotReplies.push({ messageId, model, step: step.name, usage,
    toolCalls: blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: String(b.id), name: String(b.name), input: b.input as Json })) });
  const stopReason = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const events: [string, Json][] = [['message_start', { type: 'message_start', message: {
    id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 },
  } }]];
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } }]);
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }]);
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } }]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  sse(res, events);
}

function chatUsage(stepIndex: number, subagent: boolean): ChatUsage {
  const k = stepIndex + (subagent ? 10 : 0);
  return { prompt_tokens: 2400 + 53 * k, completion_tokens: 60 + 9 * k, cached_tokens: 1024 + 128 * k, reasoning_tokens: 11 + 3 * k };
}

interface ChatStep { name: string; text?: string; call?: { name: string; args: Json } }

function opencodeScript(): ChatStep[] {
  return [
    { name: 'bash', text: 'Listing the files.', call: { name: 'bash', args: { command: 'ls', description: 'List files' } } },
    { name: 'failing-read', call: { name: 'read', args: { filePath: MISSING_FILE } } },
    { name: 'subagent', call: { name: 'task', args: { description: 'Count bytes', prompt: SUBAGENT_PROMPT, subagent_type: 'general' } } },
    { name: 'final', text: FINAL_ANSWER },
  ];
}

function answerChat(res: http.ServerResponse, body: Json, api: FakeModelApi): void {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const firstUser = messages.find((m) => m.role === 'user');
  const subagent = JSON.stringify(firstUser?.content ?? '').includes(SUBAGENT_MARK);
  const results = messages.filter((m) => m.role === 'tool').length;
  const script = opencodeScript();
  const step: ChatStep = subagent
    ? { name: 'subagent-answer', text: 'README.md has 12 bytes.' }
    : script[Math.min(results, script.length - 1)];
  const stepIndex = subagent ? 0 : script.indexOf(step);
  const usage = chatUsage(stepIndex, subagent);
  const callId = step.call ? fakeId('call') : null;
  api.opencodeReplies.push({ model, step: step.name, subagent, usage,
    toolCalls: step.call ? [{ id: callId!, name: step.call.name, input: step.call.args }] : [] });
  const id = fakeId('chatcmpl');
  const chunk = (o: Json) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, ...o })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (step.text) res.write(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: step.text } }] }));
  if (step.call) {
    res.write(chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: callId, type: 'function',
      function: { name: step.call.name, arguments: JSON.stringify(step.call.args) } }] } }] }));
  }
  res.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: step.call ? 'tool_calls' : 'stop' }] }));
  res.write(chunk({ choices: [], usage: { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens, prompt_tokens_details: { cached_tokens: usage.cached_tokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens } } }));
  res.end('data: [DONE]\n\n');
}

export async function startFakeModelApi(opts: { claudeUsage?: FakeModelApi['claudeUsage']; claudeHeaders?: Record<string, string> } = {}): Promise<FakeModelApi> {
  const api: FakeModelApi = {
    url: '', port: 0, claudeUsage: opts.claudeUsage ?? claudeUsage, claudeHeaders: opts.claudeHeaders ?? {}, claudeReplies: [], codexReplies: [], geminiReplies: [], copilotReplies: [], opencodeReplies: [], requests: [], close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const record = (status: number): void => { api.requests.push({ method: req.method ?? '', url: req.url ?? '', status }); };
    readBody(req).then((raw) => {
      if (req.method === 'HEAD' || (req.method === 'GET' && path === '/')) {
        record(200);
        res.writeHead(200).end();
        return;
      }
      const gemini = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(path);
      if (req.method === 'POST' && (path === '/v1/messages' || path === '/v1/responses' || path === '/copilot/v1/messages' || path === '/v1/chat/completions' || gemini)) {
        let body: Json;
        try {
          body = JSON.parse(raw) as Json;
        } catch {
          record(400);
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'body is not JSON' } }));
          return;
        }
        record(200);
        if (gemini) answerGemini(res, decodeURIComponent(gemini[1]), gemini[2] === 'streamGenerateContent', body, api);
        else if (path === '/copilot/v1/messages') answerCopilot(res, body, api);
        else if (path === '/v1/chat/completions') answerChat(res, body, api);
        else if (path === '/v1/messages') answerClaude(req, res, body, api);
        else answerCodex(res, body, api);
        return;
      }
      record(404);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
    }).catch((err: Error) => {
      record(413);
      if (!res.headersSent) res.writeHead(413).end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  api.port = port;
  api.url = `http://127.0.0.1:${port}`;
  api.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return api;
}

/** Sum of usages, field by field. */
export function sumUsage<T extends object>(usages: T[]): T {
  const total = {} as Record<string, number>;
  for (const u of usages) {
    for (const [k, v] of Object.entries(u)) total[k] = (total[k] ?? 0) + (v as number);
  }
  return total as T;
}
