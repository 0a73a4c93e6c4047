#!/bin/sh
# AgentMonitor command hook for Claude Code, Codex and Gemini CLI.
# Usage (as a hook command): agentmonitor-hook.sh [claude-code|codex|gemini-cli] [port]
# Reads the hook JSON on stdin and POSTs it to the local AgentMonitor server in the background.
# Prints nothing and exits 0 at once, whether or not the server runs: the agent never waits for us
# and never reads an answer from us. Honours AGENTMONITOR_PORT, AGENTMONITOR_HOST and
# AGENTMONITOR_TOKEN (sent as a bearer token, through a here-document so it never shows in `ps`).

agent="${1:-claude-code}"
case "$agent" in
  claude-code|codex|gemini-cli) ;;
  *) agent=claude-code ;;
esac
port="${2:-${AGENTMONITOR_PORT:-3142}}"
case "$port" in
  ''|*[!0-9]*) port=3142 ;;
esac
host="${AGENTMONITOR_HOST:-127.0.0.1}"

if ! command -v curl >/dev/null 2>&1; then
  exec cat >/dev/null
fi

# The agent's stdin, for the background job (whose own stdin would be /dev/null). The job reads all
# of it before posting, so the agent's write always completes, even when the post fails at once.
exec 3<&0
(
  payload=$(cat <&3)
  [ -n "$payload" ] || exit 0
  printf '%s' "$payload" | curl -s -o /dev/null --connect-timeout 1 --max-time 3 \
    -H 'Content-Type: application/json' -H @/dev/fd/4 \
    --data-binary @- "http://$host:$port/api/hooks/$agent" 4<<HEADERS
${AGENTMONITOR_TOKEN:+Authorization: Bearer $AGENTMONITOR_TOKEN}
HEADERS
) </dev/null >/dev/null 2>&1 &

exit 0
