/**
 * The typed map of the API's JSON GETs (`contracts/apiRoutes.ts`) lists exactly the GET routes the
 * server registers under `/api` (but the SSE stream): a new route must be typed there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_GET_ROUTES, apiGetPath } from '../../src/core/contracts/apiRoutes';
import { createApp } from '../../src/core/server/app';
import { startTestServer } from '../helpers/server';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every GET route path of an express router, nested routers included. */
function getRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return layer.route.methods.get ? [layer.route.path].flat() : [];
    return layer.handle?.stack ? getRoutes(layer.handle.stack) : [];
  });
}

test('every JSON GET route under /api is in ApiGetResponses, and every listed route is registered', async () => {
  const server = await startTestServer();
  const app = createApp(server.ctx) as unknown as { router: { stack: Layer[] } };
  const registered = getRoutes(app.router.stack).filter((p) => p.startsWith('/api/') && p !== '/api/stream');
  assert.deepEqual([...new Set(registered)].sort(), [...API_GET_ROUTES].sort());
});

test('apiGetPath puts path parameters into the path, encoded, and leaves the rest as the query', () => {
  assert.deepEqual(apiGetPath('/api/sessions/:id/transcript', { id: 'a/b c', limit: 5 }), { path: '/api/sessions/a%2Fb%20c/transcript', query: { limit: 5 } });
  const query = { tz: 'UTC' };
  assert.deepEqual(apiGetPath('/api/stats', query), { path: '/api/stats', query });
  assert.throws(() => apiGetPath('/api/sessions/:id', {} as { id: string }), /path parameter id missing/);
});
