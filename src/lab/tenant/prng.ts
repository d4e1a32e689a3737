/**
 * A small seeded pseudo-random generator for the lab tenant: the same seed gives the same fleet,
 * on every machine and Node version (Math.random cannot be seeded). mulberry32 for the stream,
 * a splitmix32-style mix to derive independent streams per device, so device i is the same
 * whatever the fleet's size.
 */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** An independent stream for one key (a device index, a purpose), derived from a seed. */
  static forKey(seed: number, ...keys: number[]): Prng {
    let h = mix32(seed >>> 0);
    for (const key of keys) h = mix32((h ^ (key >>> 0)) + 0x9e3779b9);
    return new Prng(h);
  }

  /** Uniform in [0, 1). */
  next(): number {
    // mulberry32
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: expected at least one item to pick from');
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: `[[item, weight], ...]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /** `digits` uppercase hex characters. */
  hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += (this.int(0x10000) | 0x10000).toString(16).slice(1);
    return out.slice(0, digits);
  }

  /** A version-4 GUID in Graph's lower-case form (RFC 9562 §5.4: version and variant bits set). */
  guid(): string {
    const h = this.hex(32).toLowerCase();
    const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
