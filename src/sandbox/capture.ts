/**
 * Bounded capture of a command's output. A runner prints its summary (the counts) last, so a flood
 * of output must not push it out: the first half of the budget keeps the head, the second half the
 * most recent bytes, and what fell between is replaced by a note with its size.
 */
export class OutputCapture {
  private readonly head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private dropped = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(limit: number) {
    this.headLimit = Math.floor(limit / 2);
    this.tailLimit = limit - this.headLimit;
  }

  add(chunk: Buffer): void {
    const room = this.headLimit - this.headSize;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.head.push(part);
      this.headSize += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailSize += chunk.length;
    // Drop whole chunks from the front while the rest still fills the tail, then trim the first.
    while (this.tailSize - this.tail[0]!.length >= this.tailLimit) {
      const gone = this.tail.shift()!;
      this.tailSize -= gone.length;
      this.dropped += gone.length;
    }
    const excess = this.tailSize - this.tailLimit;
    if (excess > 0) {
      this.tail[0] = this.tail[0]!.subarray(excess);
      this.tailSize -= excess;
      this.dropped += excess;
    }
  }

  /** Bytes seen but not kept. */
  get droppedBytes(): number {
    return this.dropped;
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped > 0 ? `${head}\n[tourney: ${this.dropped} bytes of output dropped here]\n${tail}` : head + tail;
  }
}
