// A reusable buffer of agent indices, sorted before they are visited: people who reconsider in a
// step are drawn at random, and visiting them in index order turns random memory accesses (one
// cache and TLB miss per column of the world) into a forward sweep the hardware prefetches.
export class AgentBatch {
  buf = new Int32Array(1 << 12);
  private tmp = new Int32Array(1 << 12);
  n = 0;

  clear(): void {
    this.n = 0;
  }

  push(i: number): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[this.n++] = i;
  }

  /** Sort the indices (ascending; duplicates kept): LSD radix sort on 11-bit digits, no allocation. */
  sort(): void {
    const n = this.n;
    const a = this.buf;
    if (n < 64) {
      for (let x = 1; x < n; x++) {
        const v = a[x];
        let y = x - 1;
        while (y >= 0 && a[y] > v) {
          a[y + 1] = a[y];
          y--;
        }
        a[y + 1] = v;
      }
      return;
    }
    // Agent indices are below 2^31: three passes of 11 bits; the result ends in the other buffer,
    // which becomes `buf`.
    const count = AgentBatch.count;
    let src = a;
    let dst = this.tmp;
    for (let shift = 0; shift < 33; shift += 11) {
      count.fill(0);
      for (let x = 0; x < n; x++) count[((src[x] >>> shift) & 0x7ff) + 1]++;
      for (let d = 0; d < 0x7ff; d++) count[d + 1] += count[d];
      for (let x = 0; x < n; x++) dst[count[(src[x] >>> shift) & 0x7ff]++] = src[x];
      const t = src;
      src = dst;
      dst = t;
    }
    this.tmp = dst;
    this.buf = src;
  }

  private grow(): void {
    const buf = new Int32Array(this.buf.length * 2);
    buf.set(this.buf);
    this.buf = buf;
    this.tmp = new Int32Array(buf.length);
  }

  private static count = new Int32Array(0x801);
}
