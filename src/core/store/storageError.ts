/**
 * A write to the store's files failed (disk full, quota, I/O error). The HTTP layer answers
 * `status` (507 for a full disk, else 503) with `message`, which names the file, the cause and
 * what became of the request, so an agent or a user learns the disk is full instead of seeing a
 * bare 500.
 */
export class StorageError extends Error {
  readonly status: number;
  /** Tells the error handler the message is meant for the client. */
  readonly expose = true;

  constructor(
    readonly code: string,
    what: string,
    cause: string,
    outcome?: string,
  ) {
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    super(`${full ? 'disk full: ' : ''}could not write ${what} (${full ? code : cause})${outcome ? `; ${outcome}` : ''}`);
    this.status = full ? 507 : 503;
  }

  static from(e: unknown, what: string, outcome?: string): StorageError {
    const err = e as NodeJS.ErrnoException & { cause?: string };
    return new StorageError(err?.code ?? 'EIO', what, err?.message ?? String(e), outcome);
  }
}
