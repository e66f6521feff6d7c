import { TailguardError } from '../errors.js';

/**
 * Rules between flags. A flag is never ignored: one that does not go with another, or does not
 * apply to what the command was asked to do, exits 2 naming it and why (issue: `edit --p 0.9
 * --target-share 0.1` used --p without a word).
 */
type Given = Record<string, unknown>;

const given = (v: Given, flag: string) => v[flag] !== undefined && v[flag] !== false;

/** Flags of which at most one may be given: the first pair given is refused, naming both. */
export function refuseTogether(command: string, v: Given, flags: string[], why: string): void {
  const present = flags.filter((f) => given(v, f));
  if (present.length > 1) throw new TailguardError('config', `${command}: --${present[0]} and --${present[1]} do not go together: ${why}`);
}

/** Flags that only mean something when `applies` holds: any of them given otherwise is refused. */
export function refuseUnless(command: string, v: Given, flags: string[], applies: boolean, why: string): void {
  if (applies) return;
  const present = flags.find((f) => given(v, f));
  if (present) throw new TailguardError('config', `${command}: --${present} does not apply: ${why}`);
}
