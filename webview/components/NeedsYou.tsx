/**
 * The overview's "Needs you" strip (issue 18): the sessions whose agent waits for the user (a
 * permission to grant, or its turn is over), longest waiting first, each a link to its session.
 * Fed by the app's live sessions (loaded with `GET /api/attention`, kept by `session_update`), so
 * a session appears and leaves as its agent starts and stops waiting. Nothing shows while no one waits.
 */
import type { Session } from '../../src/core/contracts/api';
import { WAITING_STATES } from '../../src/core/contracts/api';
import { agentName } from '../../src/core/contracts/agents';
import { routeHash } from '../data/appState';
import { baseName, formatAgo, shortId } from '../lib/format';

export function waitingSessions(sessions: Iterable<Session>): Session[] {
  return [...sessions]
    .filter((s) => WAITING_STATES.includes(s.state) && s.status !== 'ended')
    .sort((a, b) => (a.waiting_since ?? '').localeCompare(b.waiting_since ?? '') || a.session_id.localeCompare(b.session_id));
}

export function NeedsYou(p: { sessions: Iterable<Session>; now: number }) {
  const waiting = waitingSessions(p.sessions);
  if (!waiting.length) return null;
  return (
    <section class="section needs-you" aria-labelledby="needs-you-h" data-testid="needs-you">
      <div class="section-head">
        <h2 id="needs-you-h">
          Needs you <span class="needs-you-count">{waiting.length}</span>
        </h2>
      </div>
      <ul class="needs-you-list">
        {waiting.map((s) => (
          <li key={s.session_id}>
            <a class={`needs-you-item state-${s.state}`} href={routeHash({ view: 'sessions', sessionId: s.session_id })} data-testid="needs-you-item" data-session={s.session_id}>
              <span class="needs-you-what">{s.state === 'waiting_permission' ? 'Needs permission' : 'Waiting for input'}</span>
              <span class="agent-name">{agentName(s.agent_type)}</span>
              <span class="needs-you-project" title={s.project ?? ''}>
                {s.project ? baseName(s.project) : 'no project'}
              </span>
              <span class="muted" title={s.session_id}>
                {shortId(s.session_id)}
              </span>
              {s.waiting_message && (
                <span class="needs-you-message" title={s.waiting_message} data-testid="needs-you-message">
                  {s.waiting_message}
                </span>
              )}
              <span class="muted needs-you-since" title={`waiting since ${s.waiting_since ?? ''}`}>
                {formatAgo(s.waiting_since, p.now)}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
