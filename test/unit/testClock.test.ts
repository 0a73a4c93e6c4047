/** The browser tests' guard against midnight (`test/helpers/period.ts`): seeds and test in one UTC day. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msUntilOneUtcDay } from '../helpers/period';

const MIDNIGHT = Date.UTC(2026, 11, 8);
const MIN = 60_000;

test('no wait in the middle of a day', () => {
  assert.equal(msUntilOneUtcDay(MIDNIGHT + 12 * 60 * MIN, 2 * MIN, 5 * MIN), 0);
  assert.equal(msUntilOneUtcDay(MIDNIGHT + 2 * MIN, 2 * MIN, 5 * MIN), 0, 'the oldest seed exactly at midnight');
});

test('just after midnight: until the oldest seed is today', () => {
  const now = MIDNIGHT + 30_000;
  const wait = msUntilOneUtcDay(now, 2 * MIN, 5 * MIN);
  assert.ok(now + wait - 2 * MIN >= MIDNIGHT, 'the seeds start after midnight');
  assert.equal(wait, 91_000);
});

test('just before midnight: until after it, with the seeds today', () => {
  const now = MIDNIGHT - MIN;
  const wait = msUntilOneUtcDay(now, 2 * MIN, 5 * MIN);
  assert.ok(now + wait - 2 * MIN >= MIDNIGHT, 'the seeds start after midnight');
  assert.ok(now + wait + 5 * MIN < MIDNIGHT + 86_400_000, 'and the test ends the same day');
  assert.equal(wait, 181_000);
});
