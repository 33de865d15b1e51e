// Markdown as GitHub reads it (CommonMark + GFM: tables, autolink literals, strikethrough), for tests that
// prove entrant text stays inert in what tourney writes. One parser for every such test: micromark's.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Nodes, Root } from 'mdast';

export const parseGfm = (text: string): Root => fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });

export function walk(node: Nodes, visit: (n: Nodes) => void): void {
  visit(node);
  if ('children' in node) for (const child of node.children) walk(child as Nodes, visit);
}

/** Every node, document order. */
export function allNodes(node: Nodes): Nodes[] {
  const out: Nodes[] = [];
  walk(node, (n) => out.push(n));
  return out;
}

/** The text a reader sees (references decoded), without markup. */
export const textOf = (node: Nodes): string => {
  let out = '';
  walk(node, (n) => {
    if (n.type === 'text') out += n.value;
  });
  return out;
};
