// What tourney echoes to a terminal (agent activity, entrant errors, commands, YAML excerpts) is
// partly written by entrants. A terminal obeys escape sequences in it: OSC 52 writes the user's
// clipboard, OSC 0 sets the window title, CSI moves the cursor and `\r` overwrites a line, so an
// entrant could forge or hide tourney's own output. Everything but text, newlines and tabs goes.

/* eslint-disable no-control-regex -- matching control characters is the point of this file */
const SEQUENCES = new RegExp(
  [
    // OSC, DCS, SOS, PM, APC (7-bit ESC ] P X ^ _, or 8-bit 0x9D 0x90 0x98 0x9E 0x9F): a string up to BEL or ST,
    // or to the end of the text when it is never terminated (a terminal would swallow the rest too).
    String.raw`(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u009c\u001b]*(?:\u0007|\u009c|\u001b\\|$)`,
    // CSI (ESC [ or 8-bit 0x9B): parameters, intermediates, one final byte.
    String.raw`(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?`,
    // Any other escape: ESC, optional intermediates, one final byte (ESC c resets the terminal).
    String.raw`\u001b[\u0020-\u002f]*[\u0030-\u007e]?`,
  ].join('|'),
  'g',
);
/** C0 controls except \t and \n, DEL, and C1 controls. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

/** `text` with every terminal escape sequence and control character removed, except `\n` and `\t`. */
export function stripControl(text: string): string {
  return text.replace(SEQUENCES, '').replace(CONTROLS, '');
}

/**
 * One line for a terminal: control characters and escapes gone, and format characters too (bidi overrides and
 * zero-width characters would reorder or hide what is shown), whitespace runs as one space.
 */
export function terminalLine(text: string): string {
  return stripControl(text).replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
}
