/** Reserved ids: the beginning-of-document symbol (context only, never predicted) and the unknown-word class. */
export const BOS = 0;
export const UNK = 1;
const RESERVED = ['<s>', '<unk>'];

/**
 * Word forms to ids. Words seen fewer than `minCount` times in training share the `<unk>` class,
 * so the model has a probability for words it never saw. Ids are ordered by frequency, then
 * form, so the same training text always gives the same vocabulary.
 */
export class Vocabulary {
  readonly forms: readonly string[];
  private readonly index: Map<string, number>;

  constructor(forms: readonly string[]) {
    if (forms[BOS] !== RESERVED[BOS] || forms[UNK] !== RESERVED[UNK]) throw new Error('vocabulary must start with <s>, <unk>');
    this.forms = forms;
    this.index = new Map(forms.map((f, i) => [f, i]));
  }

  static fromCounts(counts: Map<string, number>, minCount: number): Vocabulary {
    const kept = [...counts].filter(([f, c]) => c >= minCount && !RESERVED.includes(f));
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Vocabulary([...RESERVED, ...kept.map(([f]) => f)]);
  }

  get size(): number {
    return this.forms.length;
  }

  id(form: string): number {
    return this.index.get(form) ?? UNK;
  }

  form(id: number): string {
    return this.forms[id];
  }
}
