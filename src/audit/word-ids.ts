import { fnv1a } from '../hash.js';

/**
 * The audit's words as dense integer ids (in first-seen order), shared by the n-gram tables of
 * one view so that an n-gram is a tuple of ids. Each word's FNV-1a hash is kept with it: the
 * hashed features of a word and of a bigram start from it instead of hashing the string again.
 */
export class WordIds {
  readonly words: string[] = [];
  /** fnv1a(words[id]). */
  hashes = new Uint32Array(1024);
  private readonly ids = new Map<string, number>();
  /** A token as the tokenizer cut it -> the id of its lower-cased form: lower-cases each form once. */
  private readonly forms = new Map<string, number>();

  /** The id of `word`, added when new. */
  id(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.ids.set(word, id);
      if (id === this.hashes.length) {
        const hashes = new Uint32Array(id * 2);
        hashes.set(this.hashes);
        this.hashes = hashes;
      }
      this.hashes[id] = fnv1a(word);
    }
    return id;
  }

  /** The id of a token's audit form (lower-cased). */
  idOfForm(form: string): number {
    let id = this.forms.get(form);
    if (id === undefined) {
      id = this.id(form.toLowerCase());
      this.forms.set(form, id);
    }
    return id;
  }

  /** The id of `word`, or -1 when it was never seen. */
  find(word: string): number {
    return this.ids.get(word) ?? -1;
  }

  get size(): number {
    return this.words.length;
  }
}
