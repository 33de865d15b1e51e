/** Upper-cases the first character. */
export function capitalize(text) {
  if (text.length === 0) return text;
  return text[0].toUpperCase() + text.slice(1);
}

/** Cuts `text` to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text, max) {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - 1)) + '…';
}
