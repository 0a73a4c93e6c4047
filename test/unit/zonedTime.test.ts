import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, dayKey, dayStartOf, parseTimeBound, startOfDay, zoneOffsetMs } from '../../src/core/zonedTime';

const iso = (t: number) => new Date(t).toISOString();

test('local midnights across DST changes', () => {
  // New York: 2026-03-08 springs forward (23 h day), 2026-11-01 falls back (25 h day).
  assert.equal(iso(dayStartOf('2026-03-08', 'America/New_York')), '2026-03-08T05:00:00.000Z');
  assert.equal(iso(dayStartOf('2026-03-09', 'America/New_York')), '2026-03-09T04:00:00.000Z');
  assert.equal(addDays(dayStartOf('2026-03-08', 'America/New_York'), 1, 'America/New_York') - dayStartOf('2026-03-08', 'America/New_York'), 23 * 3_600_000);
  assert.equal(addDays(dayStartOf('2026-11-01', 'America/New_York'), 1, 'America/New_York') - dayStartOf('2026-11-01', 'America/New_York'), 25 * 3_600_000);
  assert.equal(iso(dayStartOf('2026-03-11', 'Asia/Kolkata')), '2026-03-10T18:30:00.000Z');
  assert.equal(iso(dayStartOf('2026-01-01', 'Asia/Kathmandu')), '2025-12-31T18:15:00.000Z');
  // Santiago skipped midnight on 2024-09-08: the day starts at 01:00 local.
  assert.equal(dayKey(dayStartOf('2024-09-08', 'America/Santiago'), 'America/Santiago'), '2024-09-08');
  assert.equal(iso(dayStartOf('2024-09-08', 'America/Santiago')), '2024-09-08T04:00:00.000Z');
});

test('day keys and start of day', () => {
  const t = Date.parse('2026-03-10T18:45:00Z');
  assert.equal(dayKey(t, 'UTC'), '2026-03-10');
  assert.equal(dayKey(t, 'Asia/Kolkata'), '2026-03-11');
  assert.equal(iso(startOfDay(t, 'Asia/Kolkata')), '2026-03-10T18:30:00.000Z');
  assert.equal(iso(startOfDay(t, 'America/Los_Angeles')), '2026-03-10T07:00:00.000Z');
  assert.equal(zoneOffsetMs('Asia/Kolkata', t), 5.5 * 3_600_000);
});

test('time bounds: dates in the zone, ISO, epoch ms, and garbage', () => {
  assert.equal(iso(parseTimeBound('2026-05-01', 'America/Los_Angeles')!), '2026-05-01T07:00:00.000Z');
  assert.equal(iso(parseTimeBound('20260501', 'UTC', true)!), '2026-05-02T00:00:00.000Z');
  assert.equal(iso(parseTimeBound('2026-05-01T10:00:00+02:00', 'UTC')!), '2026-05-01T08:00:00.000Z');
  assert.equal(iso(parseTimeBound('2026-05-01T10:00:00', 'Asia/Tokyo')!), '2026-05-01T10:00:00.000Z');
  assert.equal(parseTimeBound('1777600000000', 'UTC'), 1777600000000);
  for (const bad of ['yesterday', '2026-13-01', '2026-02-30', '20260231', '2026-02-30x', '12', '']) assert.equal(parseTimeBound(bad, 'UTC'), null, bad);
});
