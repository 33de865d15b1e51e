const HEADING_RE = /^ {0,3}(#{1,2})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/;

export interface Heading {
  level: 1 | 2;
  text: string;
  line: number;
}

/** `#` and `##` headings, skipping lines inside fenced code blocks (a shell comment is not a heading). */
export function findHeadings(lines: readonly string[]): Heading[] {
  const headings: Heading[] = [];
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const opener = FENCE_RE.exec(line)?.[1];
    if (fence) {
      if (opener && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) fence = undefined;
      return;
    }
    if (opener) {
      fence = opener;
      return;
    }
    const m = HEADING_RE.exec(line);
    if (m?.[2]) headings.push({ level: m[1]!.length as 1 | 2, text: m[2].trim(), line: i });
  });
  return headings;
}

/** Section bodies (trimmed, `###` and deeper kept inside) by lower-cased `#`/`##` heading text. */
export function extractSections(markdown: string): { sections: Record<string, string>; firstH1?: string } {
  const lines = markdown.split('\n');
  const headings = findHeadings(lines);
  const sections: Record<string, string> = {};
  headings.forEach((h, i) => {
    const end = headings[i + 1]?.line ?? lines.length;
    const body = lines.slice(h.line + 1, end).join('\n').trim();
    const key = h.text.toLowerCase();
    // A repeated heading adds to its section rather than silently replacing the first one.
    sections[key] = key in sections && body ? [sections[key], body].filter(Boolean).join('\n\n') : (sections[key] ?? body);
  });
  const firstH1 = headings.find((h) => h.level === 1)?.text;
  return firstH1 === undefined ? { sections } : { sections, firstH1 };
}
