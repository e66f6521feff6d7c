import { esc } from './escape-html.js';

/**
 * The look every Tailguard HTML page shares: system fonts, quiet tables, inline SVG charts drawn
 * at the width of the page (their viewBox keeps text and lines in proportion).
 */
const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:24px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
p.note{color:#555;margin:4px 0 12px}figure{margin:8px 0}figcaption{font-size:13px;color:#444}
svg.chart{display:block;width:100%;height:auto}.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px 24px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
table.sortable{display:block;overflow-x:auto;max-width:100%}table.sortable th{cursor:pointer}table.sortable td{white-space:nowrap}table.sortable th:after{content:" \\2195";color:#999}`;

/**
 * Click a header of a table.sortable to sort its rows by that column, again to reverse: numbers
 * (the first one in a cell, so "12.5% ± 1" sorts by 12.5) numerically, other cells as text.
 */
const SORT_SCRIPT = `document.querySelectorAll('table.sortable').forEach(function(t){t.querySelectorAll('th').forEach(function(th,c){th.addEventListener('click',function(){
var rows=Array.prototype.slice.call(t.querySelectorAll('tr')).slice(1),dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir>0?'asc':'desc';
var key=function(r){var s=r.cells[c].textContent,m=s.replace(/\\u2212/g,'-').match(/-?\\d+(\\.\\d+)?(e-?\\d+)?/);return m?parseFloat(m[0]):s};
rows.sort(function(a,b){var x=key(a),y=key(b);return (typeof x===typeof y?(x<y?-1:x>y?1:0):typeof x==='number'?-1:1)*dir});
rows.forEach(function(r){t.appendChild(r)})})})});`;

/**
 * A self-contained page (inline CSS and scripts, no network): `body` is trusted HTML. Pages
 * read without scripts too; `script` only adds interaction (sorting, the document picker).
 */
export function htmlPage(title: string, body: string, extraStyle = '', script = ''): string {
  const scripts = [body.includes('class="sortable"') ? SORT_SCRIPT : '', script].filter((s) => s !== '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title>
<style>
${STYLE}${extraStyle ? `\n${extraStyle}` : ''}
</style></head><body>
<h1>${esc(title)}</h1>
${body}
${scripts.length > 0 ? `<script>\n${scripts.join('\n')}\n</script>\n` : ''}</body></html>
`;
}

/** An HTML table from rows of already formatted cells (escaped here); `sortable` adds click-to-sort headers. */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], sortable = false): string {
  const tr = (cells: readonly string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table${sortable ? ' class="sortable"' : ''}>${tr(header, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}
