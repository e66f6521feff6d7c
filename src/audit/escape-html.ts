/** Text as HTML/SVG character data or attribute value: the pages embed corpus text, which may hold <, & or quotes. */
export const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
