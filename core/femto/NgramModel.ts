/**
 * Byte unigram and bigram models with add-k smoothing: the baselines FemtoLLM's bits per
 * character are reported against. Fitted on the training text, evaluated on held-out text.
 */
export class NgramModel {
  private readonly unigram = new Float64Array(256);
  private readonly bigram = new Float64Array(256 * 256);
  private total = 0;

  constructor(
    train: Uint8Array,
    private readonly k = 0.01,
  ) {
    for (let i = 0; i < train.length; i++) {
      const b = train[i] as number;
      this.unigram[b] = (this.unigram[b] as number) + 1;
      if (i > 0) {
        const at = (train[i - 1] as number) * 256 + b;
        this.bigram[at] = (this.bigram[at] as number) + 1;
      }
    }
    this.total = train.length;
  }

  unigramBits(text: Uint8Array): number {
    let bits = 0;
    const denom = this.total + 256 * this.k;
    for (let i = 1; i < text.length; i++) bits -= Math.log2(((this.unigram[text[i] as number] as number) + this.k) / denom);
    return bits / Math.max(1, text.length - 1);
  }

  bigramBits(text: Uint8Array): number {
    let bits = 0;
    for (let i = 1; i < text.length; i++) {
      const prev = text[i - 1] as number;
      const count = this.bigram[prev * 256 + (text[i] as number)] as number;
      const row = (this.unigram[prev] as number) + 256 * this.k;
      bits -= Math.log2((count + this.k) / row);
    }
    return bits / Math.max(1, text.length - 1);
  }
}
