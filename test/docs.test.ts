import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COMMANDS } from '../src/cli/commands.js';

// The docs a user reads: the README and every page of docs/. Their links must lead somewhere and
// their command lines must be ones the CLI accepts, or a user copying one gets an error.
const pages = ['README.md', ...(existsSync('docs') ? readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f)) : [])];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(page: string): Set<string> {
  const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

test('every relative link of the README and docs/ leads to a file, and every anchor to a heading', (t) => {
  let links = 0;
  for (const page of pages) {
    const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      links++;
      const [path, anchor] = target.split('#');
      const file = path === '' ? page : join(dirname(page), path);
      t.true(existsSync(file), `${page}: link to ${target}: no such file`);
      if (anchor && file.endsWith('.md') && existsSync(file)) t.true(anchorsOf(file).has(anchor), `${page}: link to ${target}: no such heading`);
    }
  }
  t.true(links > 0, 'the README links to the docs');
  t.log(`${links} relative links in ${pages.length} pages`);
});

/** Words of a shell command line, quotes removed (no expansion: the docs quote globs). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The code blocks of a page with their language (```sh … ```), fence by fence. */
function codeBlocks(page: string): { lang: string; body: string }[] {
  const blocks: { lang: string; body: string }[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of readFileSync(page, 'utf8').split('\n')) {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence && !open) open = { lang: fence[1], lines: [] };
    else if (fence && open) {
      blocks.push({ lang: open.lang, body: open.lines.join('\n') });
      open = undefined;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** The `tailguard …` command lines in the docs' shell blocks, without synopsis lines (`<file>`, `[--out DIR]`). */
function commandLines(page: string): string[] {
  const lines: string[] = [];
  for (const { lang, body } of codeBlocks(page)) {
    if (!['', 'sh', 'bash', 'shell'].includes(lang)) continue;
    for (const raw of body.replace(/\\\n\s*/g, ' ').split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      const at = line.search(/(^|\s)tailguard\s/);
      if (at < 0 || /[<[…]/.test(line)) continue;
      lines.push(line.slice(line.indexOf('tailguard', at)).split(/\s(?:\||&&|>|2>)\s/)[0]);
    }
  }
  return lines;
}

test('every tailguard command line quoted in the README and docs/ names a command and flags it takes', (t) => {
  let checked = 0;
  for (const page of pages) {
    for (const line of commandLines(page)) {
      const [, name, ...args] = words(line);
      if (name === '--version' || name === '--help') continue;
      const command = COMMANDS[name];
      t.truthy(command, `${page}: "${line}": no command "${name}"`);
      if (!command) continue;
      t.notThrows(() => command.check(args), `${page}: "${line}"`);
      checked++;
    }
  }
  t.true(checked > 5, `only ${checked} command lines found: is the extraction broken?`);
  t.log(`${checked} command lines parsed`);
});
