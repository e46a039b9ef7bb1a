// Replay protection, as jupyter_client's Session does it: every accepted
// signature is remembered, and a message whose signature was seen before is a
// replay (an attacker who captured signed traffic can't make the kernel run a
// cell twice). The history is bounded: past `capacity` signatures the oldest
// tenth is forgotten (jupyter_client culls a random tenth of 2^16).

/** jupyter_client's Session.digest_history_size. */
export const DIGEST_HISTORY_SIZE = 2 ** 16;

export class DigestHistory {
  // A Set iterates in insertion order, so culling from its start forgets the oldest.
  readonly #seen = new Set<string>();

  constructor(readonly capacity = DIGEST_HISTORY_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`digest history capacity must be a positive integer, got ${capacity}`);
  }

  /** Records `digest`; false when it was already there (a replay). */
  add(digest: string): boolean {
    if (this.#seen.has(digest)) return false;
    this.#seen.add(digest);
    if (this.#seen.size > this.capacity) this.#cull();
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #cull(): void {
    let drop = Math.max(1, Math.floor(this.capacity / 10));
    for (const digest of this.#seen) {
      if (drop-- <= 0) break;
      this.#seen.delete(digest);
    }
  }
}
