/**
 * The words of the training text as a letter trie (lower case): FemtoEngine's word guard reads
 * it to keep every word it writes a word it has read. Shipped with the base weights as a
 * sorted, space-separated word list.
 *
 * Node 0 is the root (no letters yet); `next` gives the child for a letter or NO_NODE.
 */
export const NO_NODE = -1;

export class Lexicon {
  private readonly children = new Map<number, number>();
  private terminal = new Uint8Array(1024);
  private nodes = 1;
  readonly words: readonly string[];
  /**
   * The child edges again as an open-addressing table (key node·32 + letter + 1, 0 = empty):
   * `next` runs for every candidate token of every generated token, and this is several times
   * faster than the Map.
   */
  private readonly keys: Int32Array;
  private readonly vals: Int32Array;
  private readonly shift: number;

  private constructor(words: readonly string[]) {
    this.words = words;
    this.build(words);
    let bits = 4;
    while (1 << bits < 2 * this.children.size) bits++;
    this.shift = 32 - bits;
    this.keys = new Int32Array(1 << bits);
    this.vals = new Int32Array(1 << bits);
    const mask = (1 << bits) - 1;
    for (const [key, child] of this.children) {
      let i = Math.imul(key + 1, 0x9e3779b1) >>> this.shift;
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = key + 1;
      this.vals[i] = child;
    }
  }

  private build(words: readonly string[]): void {
    for (const w of words) {
      let node = 0;
      for (let i = 0; i < w.length; i++) {
        const key = node * 32 + (w.charCodeAt(i) - 97);
        let child = this.children.get(key);
        if (child === undefined) {
          child = this.nodes++;
          this.children.set(key, child);
        }
        node = child;
      }
      if (node >= this.terminal.length) {
        const grown = new Uint8Array(Math.max(node + 1, 2 * this.terminal.length));
        grown.set(this.terminal);
        this.terminal = grown;
      }
      this.terminal[node] = 1;
    }
  }

  /** Every maximal run of ASCII letters in `text`, lower-cased, once. */
  static fromText(text: string): Lexicon {
    const set = new Set<string>();
    for (const m of text.matchAll(/[A-Za-z]+/g)) set.add(m[0].toLowerCase());
    return new Lexicon([...set].sort());
  }

  /** From the stored form: lower-case a–z words separated by single spaces. */
  static parse(list: string): Lexicon {
    const words = list.length === 0 ? [] : list.split(' ');
    for (const w of words) if (!/^[a-z]+$/.test(w)) throw new RangeError(`lexicon entry ${JSON.stringify(w)} is not a lower-case word`);
    return new Lexicon(words);
  }

  serialize(): string {
    return this.words.join(' ');
  }

  has(word: string): boolean {
    let node = 0;
    for (let i = 0; i < word.length && node !== NO_NODE; i++) node = this.next(node, word.charCodeAt(i));
    return node !== NO_NODE && this.isWord(node);
  }

  /** Child of `node` for the ASCII letter `code` (either case), or NO_NODE. */
  next(node: number, code: number): number {
    const key = node * 32 + ((code | 32) - 97) + 1;
    const { keys } = this;
    const mask = keys.length - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[i] as number;
      if (k === key) return this.vals[i] as number;
      if (k === 0) return NO_NODE;
      i = (i + 1) & mask;
    }
  }

  isWord(node: number): boolean {
    return this.terminal[node] === 1;
  }
}
