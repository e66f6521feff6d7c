/**
 * The token view of report.html (GLTR style): each sampled document token by token, coloured by
 * the prior's rank of the token, with ToEdit's selections and changes marked, a key drawn with
 * the same marks, and a picker to choose the document. Every sampled document is in the page
 * (SAMPLE_DOCS of them, the first SAMPLE_TOKENS tokens each: see pipeline/token-sample.ts); the
 * picker's few lines of script only show one at a time.
 */
import { esc } from './escape-html.js';
import type { TokenSample } from './report.js';

/** Rank buckets: GLTR's colours, rank 1 green, ≤ 10 yellow, ≤ 100 red, beyond purple. */
export const TOKEN_VIEW_STYLE = `.doc{font-family:ui-monospace,Menlo,monospace;font-size:13px;line-height:1.9;white-space:pre-wrap;border:1px solid #ddd;padding:8px;max-height:420px;overflow:auto}
.r0{background:#b9f6ca}.r1{background:#fff59d}.r2{background:#ffab91}.r3{background:#e1bee7}
.sel{outline:1px solid #333}.doc del{color:#777}.doc ins,.key ins{text-decoration:none;font-weight:bold;background:#bbdefb}
.punct{outline:2px solid #e65100;outline-offset:1px}.punct del,.punct ins{padding:0 3px}.punct ins{background:#ffcc80}
.key{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13px;margin:8px 0}.key>span{display:inline-flex;align-items:center;gap:6px}
.key code{font-family:ui-monospace,Menlo,monospace;padding:1px 4px}.picker{margin:8px 0;font-size:14px}.picker select{font-size:14px;max-width:100%}`;

const PICKER_SCRIPT = `(function(){var s=document.getElementById('doc-picker');if(!s)return;s.addEventListener('change',function(){
document.querySelectorAll('.doc[data-doc]').forEach(function(d){d.hidden=d.dataset.doc!==s.value})})})();`;

/** A token that is not a word: punctuation or a symbol, whose edits are easy to miss (a comma for a period). */
const isPunctuation = (s: string) => s.trim() !== '' && !/[\p{L}\p{N}]/u.test(s);

function rankClass(rank: number | null): string {
  if (rank === null) return '';
  return `r${rank <= 1 ? 0 : rank <= 10 ? 1 : rank <= 100 ? 2 : 3}`;
}

function pieceHtml(p: TokenSample['pieces'][number]): string {
  const lead = p.text.match(/^\s*/)![0];
  const word = p.text.slice(lead.length);
  const classes = [rankClass(p.rank), p.selected ? 'sel' : '', p.replacement !== undefined && (isPunctuation(word) || isPunctuation(p.replacement)) ? 'punct' : ''].filter(Boolean);
  const title = p.rank === null ? '' : ` title="rank ${p.rank}, p = ${p.p.toPrecision(3)}${p.replacement !== undefined ? `, changed to \u201c${esc(p.replacement)}\u201d` : ''}"`;
  const inner = p.replacement !== undefined ? `<del>${esc(word)}</del><ins>${esc(p.replacement)}</ins>` : esc(word);
  if (classes.length === 0 && title === '') return esc(p.text);
  return `${esc(lead)}<span${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''}${title}>${inner}</span>`;
}

/** The key, drawn with the marks the documents use. */
const KEY = `<div class="key">
<span><code class="r0">the</code> rank 1 (the prior\u2019s first choice)</span><span><code class="r1">the</code> rank 2-10</span><span><code class="r2">the</code> rank 11-100</span><span><code class="r3">the</code> rank &gt; 100</span><span><code>the</code> not scored</span>
<span><code class="r0 sel">the</code> selected by ToEdit</span><span><code class="r0 sel"><del>big</del><ins>large</ins></code> changed: original struck through, replacement after it</span>
<span><code class="r0 sel punct"><del>,</del><ins>.</ins></code> a punctuation edit (orange frame)</span></div>`;

/** The section's body: key, picker and every sampled document (the first one shown). */
export function tokenViewHtml(samples: readonly TokenSample[]): { html: string; script: string } {
  const count = (s: TokenSample, f: (p: TokenSample['pieces'][number]) => boolean) => s.pieces.filter(f).length;
  const options = samples.map((s, i) => `<option value="${i}">${esc(s.id)}: ${count(s, (p) => p.replacement !== undefined)} changed, ${count(s, (p) => p.selected)} selected</option>`);
  const docs = samples.map((s, i) => `<div class="doc" data-doc="${i}"${i === 0 ? '' : ' hidden'}>${s.pieces.map(pieceHtml).join('')}</div>`);
  const picker = `<label class="picker">Document (the run\u2019s first ${samples.length} are kept, each cut after its first few hundred tokens): <select id="doc-picker">${options.join('')}</select></label>`;
  return { html: `${KEY}${picker}${docs.join('')}`, script: PICKER_SCRIPT };
}
