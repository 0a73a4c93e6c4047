import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVERY_MS, KEEP_FOR_MS, MAX_WANTED, QUIET_MS, Warmer } from '../../src/core/server/warmer';

/** A warmer on a fake clock; `computed` lists the keys it computed, in order. */
function setup() {
  let now = 1_000_000;
  let gen = 1;
  let dashboards = 0;
  const computed: string[] = [];
  const w = new Warmer({ generation: () => gen, dashboards: () => dashboards, now: () => now });
  const want = (key: string) => w.want(key, async () => void computed.push(key));
  return {
    w,
    computed,
    want,
    tick: (ms: number) => void (now += ms),
    write: () => void gen++,
    connect: (n: number) => void (dashboards = n),
  };
}

test('a wanted answer is computed once reads are quiet, and not again while nothing is written', async () => {
  const t = setup();
  t.w.userRequest();
  t.want('a');
  t.want('b');
  await t.w.pass();
  assert.deepEqual(t.computed, [], 'a dashboard read just came: the warmer waits');
  t.tick(QUIET_MS);
  await t.w.pass();
  assert.deepEqual(t.computed, ['b', 'a'], 'most recently wanted first');
  t.tick(EVERY_MS);
  await t.w.pass();
  t.want('a');
  t.tick(EVERY_MS);
  await t.w.pass();
  assert.deepEqual(t.computed, ['b', 'a'], 'nothing written: nothing computed again');
  t.w.stop();
});

test('after a write answers are computed again only while a dashboard is connected, one pass per EVERY_MS', async () => {
  const t = setup();
  t.want('a');
  await t.w.pass();
  assert.deepEqual(t.computed, ['a']);
  t.write();
  t.tick(EVERY_MS);
  await t.w.pass();
  assert.deepEqual(t.computed, ['a'], 'nobody would see it');
  t.connect(1);
  await t.w.pass();
  assert.deepEqual(t.computed, ['a', 'a']);
  t.write();
  t.tick(EVERY_MS - 1);
  await t.w.pass();
  assert.deepEqual(t.computed, ['a', 'a'], 'at most one pass per EVERY_MS');
  t.tick(1);
  await t.w.pass();
  assert.deepEqual(t.computed, ['a', 'a', 'a']);
  t.w.stop();
});

test('a read arriving during a pass stops it; wanted answers expire and are bounded', async () => {
  const t = setup();
  const w = t.w;
  w.want('slow', async () => {
    t.computed.push('slow');
    w.userRequest();
  });
  t.want('next');
  // 'next' was wanted last, so it runs first; then 'slow', which sees a read arrive.
  t.want('first');
  await w.pass();
  assert.deepEqual(t.computed, ['first', 'next', 'slow']);
  w.want('after-read', async () => void t.computed.push('after-read'));
  t.tick(EVERY_MS);
  w.userRequest();
  await w.pass();
  assert.ok(!t.computed.includes('after-read'), 'a read within QUIET_MS holds the pass back');
  t.tick(QUIET_MS);
  await w.pass();
  assert.ok(t.computed.includes('after-read'));
  t.tick(KEEP_FOR_MS + 1);
  await w.pass();
  assert.equal(w.isWanted('first'), false, 'not wanted for KEEP_FOR_MS: dropped');
  for (let i = 0; i < MAX_WANTED + 5; i++) t.want(`k${i}`);
  assert.equal(w.isWanted('k0'), false);
  assert.equal(w.isWanted(`k${MAX_WANTED + 4}`), true);
  w.stop();
});

test('an answer computed at start is not computed again before a write', async () => {
  const t = setup();
  t.w.want('started', async () => void t.computed.push('started'), true);
  t.tick(EVERY_MS);
  await t.w.pass();
  assert.deepEqual(t.computed, []);
  t.connect(1);
  t.write();
  t.tick(EVERY_MS);
  await t.w.pass();
  assert.deepEqual(t.computed, ['started']);
  t.w.stop();
});
