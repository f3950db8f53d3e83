/**
 * The lead of a section: its first paragraph(s) of prose, which in API references is the
 * definition of the heading's name ("Returns `true` if the path exists"). Search weighs it
 * above the rest of the body, because questions paraphrase it.
 */

const NOT_LEAD = /^(\s*[*+-] |\s*\d+\. |\s*<!--|\s*```|\s*~~~|\s*\||\s*>|\s*\[[^\]]+\]:| {4})/;

/**
 * The first paragraphs of prose (lists of parameters, comments, code, tables and headings skipped),
 * up to about `maxChars`, with Markdown code and link syntax removed but code text kept.
 */
export function leadOf(markdown: string, maxChars = 400): string {
  const withoutComments = markdown.replace(/<!--[\s\S]*?-->/g, '\n');
  let out = '';
  let fence = false;
  for (const raw of withoutComments.split(/\n\s*\n/)) {
    const block = raw.replace(/^\s*#{1,6}\s.*(\n|$)/, ''); // a heading line glued to its text
    const fences = block.match(/^\s*(```|~~~)/gm)?.length ?? 0;
    if (fence || fences) {
      if (fences % 2 === 1) fence = !fence;
      continue;
    }
    if (!block.trim() || NOT_LEAD.test(block)) continue;
    const text = block
      .replace(/<[^>]*>/g, ' ')
      .replace(/\]\[[^\]]*\]|\]\([^)]*\)/g, ']')
      .replace(/[`[\]*_]/g, '');
    if (text.trim()) out += `${text.trim()}\n`;
    if (out.length >= maxChars) break;
  }
  return out.trim();
}
