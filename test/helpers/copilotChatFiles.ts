/**
 * Copilot Chat session files built to the format VS Code writes (its chat model,
 * `ISerializableChatData` v3, and its object mutation log): a real VS Code with a Copilot sign-in
 * cannot run in the test environment.
 */
export const CHAT_SESSION_ID = '6f1c2d3e-0000-4000-8000-00000000c0de';
const SID = CHAT_SESSION_ID;

/** A request as VS Code serializes it before its answer arrives. */
export function chatRequest(n: number, text: string, modelId = 'copilot/gpt-4.1'): Record<string, unknown> {
  return {
    requestId: `request_${n}`,
    message: { text, parts: [{ kind: 'text', text, range: { start: 0, endExclusive: text.length } }] },
    variableData: { variables: [] },
    response: [],
    agent: { id: 'github.copilot.editsAgent', name: 'agent' },
    timestamp: 1796600000000 + n * 60_000,
    modelId,
    responseId: `response_${n}`,
    modelState: { value: 0 },
  };
}

/** The journal of a session with two requests, the way VS Code appends it while chatting. */
export function chatJournal(): string {
  const lines: object[] = [
    { kind: 0, v: { version: 3, sessionId: SID, creationDate: 1796600000000, customTitle: 'Fix the build', initialLocation: 'panel', responderUsername: 'GitHub Copilot', requests: [] } },
    { kind: 2, k: ['requests'], v: [chatRequest(1, 'why does the build fail?')] },
    // The answer streams in: markdown, a tool call, more markdown; a later push rewrites the tail.
    { kind: 2, k: ['requests', 0, 'response'], v: [{ value: 'Let me look', supportThemeIcons: false }] },
    { kind: 2, k: ['requests', 0, 'response'], i: 0, v: [{ value: 'Let me look at the log.', supportThemeIcons: false },
      { kind: 'toolInvocationSerialized', toolId: 'run_in_terminal', toolCallId: 'call_aa1', isComplete: true, isConfirmed: true, invocationMessage: 'Running `npm run build`', pastTenseMessage: 'Ran `npm run build`' }] },
    { kind: 2, k: ['requests', 0, 'response'], v: [{ value: ' The import path is wrong.', supportThemeIcons: false }] },
    // Its tokens arrive late, with the model that served it.
    { kind: 1, k: ['requests', 0, 'result'], v: { timings: { firstProgress: 900, totalElapsed: 5400 }, metadata: { promptTokens: 18234, outputTokens: 412, resolvedModel: 'gpt-4.1-2025-04-14', toolCallRounds: [{ toolCalls: [{ id: 'call_aa1', name: 'run_in_terminal' }] }] } } },
    { kind: 1, k: ['requests', 0, 'modelState'], v: { value: 1, completedAt: 1796600065400 } },
    { kind: 2, k: ['requests'], v: [chatRequest(2, 'and the tests?', 'copilot/claude-sonnet-4')] },
    { kind: 2, k: ['requests', 1, 'response'], v: [{ value: 'Running them now.' }, { kind: 'toolInvocationSerialized', toolId: 'runTests', toolCallId: 'call_bb2', isComplete: false }] },
    { kind: 3, k: ['customTitle'] },
  ];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

