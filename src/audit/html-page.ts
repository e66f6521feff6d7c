import { esc } from './svg.js';

/** The look every Tailguard HTML page shares: system fonts, quiet tables, inline SVG charts. */
const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:24px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
p.note{color:#555;margin:4px 0 12px}figure{display:inline-block;margin:8px;vertical-align:top}figcaption{font-size:13px;color:#444;max-width:760px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}`;

/** A self-contained page (inline CSS, no scripts, no network): `body` is trusted HTML. */
export function htmlPage(title: string, body: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
${STYLE}${extraStyle ? `\n${extraStyle}` : ''}
</style></head><body>
<h1>${esc(title)}</h1>
${body}
</body></html>
`;
}

/** An HTML table from rows of already formatted cells (escaped here). */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const tr = (cells: readonly string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(header, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}
