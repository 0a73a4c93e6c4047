/**
 * The dashboard's last answers to API questions, so that a view opened again (or warmed while the
 * page was idle, `viewWarmUp.tsx`) renders with its data at once instead of a loading state and a
 * round trip. An answer is reused only while nothing has changed the aggregates since it was asked
 * (the app's `dataTick`, and no `clear` since: one comes with every message about written data) and
 * for at most `ANSWER_MAX_AGE_MS`, the server's own aggregate cache time: what it shows is what the
 * server would answer.
 */
export const ANSWER_MAX_AGE_MS = 10_000;
const MAX_ANSWERS = 64;

interface Answer {
  data: unknown;
  tick: number;
  at: number;
}

export class AnswerCache {
  private readonly answers = new Map<string, Answer>();
  private cleared = 0;

  /** Taken when a question is asked: an answer kept with an older one is dropped (data changed while it was on its way). */
  generation(): number {
    return this.cleared;
  }

  /** The answer to `key` asked at `tick`, if the data has not changed since and it is recent. */
  fresh<T>(key: string, tick: number, now = Date.now()): { data: T; at: number } | null {
    const a = this.answers.get(key);
    if (!a) return null;
    if (a.tick !== tick || now - a.at > ANSWER_MAX_AGE_MS) {
      this.answers.delete(key);
      return null;
    }
    return { data: a.data as T, at: a.at };
  }

  /** Keep `data`, the answer to `key` asked at `tick` (at time `at`, `generation()` then); the oldest go beyond the bound. */
  keep(key: string, data: unknown, tick: number, at: number, asked = this.cleared): void {
    this.answers.delete(key);
    if (asked !== this.cleared) return;
    this.answers.set(key, { data, tick, at });
    while (this.answers.size > MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
  }

  clear(): void {
    this.cleared++;
    this.answers.clear();
  }
}
