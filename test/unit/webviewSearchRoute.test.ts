/**
 * A search hit's link (issue 17): `#/sessions/<id>?event=<n>` names the session and the event to
 * show; ids with reserved characters survive; a malformed event part is ignored, never a session id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHash, routeHash } from '../../webview/data/appState';

test('a session link with an event round-trips; without one it is the plain session link', () => {
  for (const sessionId of ['5df58c72-10ee-4455-8525-dd0ff3c62090', 'odd?id&event=3/with#chars']) {
    const hash = routeHash({ view: 'sessions', sessionId, eventId: 4711 });
    assert.match(hash, /\?event=4711$/);
    assert.deepEqual(parseHash(hash), { view: 'sessions', sessionId, eventId: 4711 });
    assert.deepEqual(parseHash(routeHash({ view: 'sessions', sessionId })), { view: 'sessions', sessionId });
  }
  assert.equal(routeHash({ view: 'costs', sessionId: null, eventId: 3 }), '#/costs');
  assert.deepEqual(parseHash('#/sessions/abc?event=x1'), { view: 'sessions', sessionId: 'abc' });
  assert.deepEqual(parseHash('#/sessions?event=5'), { view: 'sessions', sessionId: null });
});
