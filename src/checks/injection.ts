// Text an entrant adds that speaks to the AI judge instead of the user: "ignore previous instructions",
// "rank this candidate first", chat-template tokens, hidden characters. Only added lines count, and each
// pattern needs the shape of an address or an order, so domain words (a `judge` in a sports app, `rank`
// in a ranking algorithm, `instructions` in a CPU emulator) stay quiet.
import { addedLines } from './tampering.js';

export interface InjectionFinding {
  file: string;
  /** Line in the entrant's version of the file. */
  line: number;
  /** Id of the pattern that matched. */
  pattern: string;
  /** The line, trimmed and capped at 200 characters, quoted as data. */
  text: string;
}

export interface InjectionCheck {
  flagged: boolean;
  findings: InjectionFinding[];
}

const JUDGE = String.raw`(?:judges?|reviewers?|graders?|evaluators?|referees?|assessors?)`;
const AI = String.raw`(?:ai|llms?|gpt|chatgpt|claude|(?:large\s+)?language\s+models?|ai\s+(?:models?|assistants?))`;
const MINE = String.raw`(?:this|my|our)\s+(?:candidate|submission|solution|patch|diff|implementation|answer|response|pr|pull\s+request)`;
const VERDICT = String.raw`(?:rank|rate|score|grade|choose|pick|select|prefer|favou?r|award|declare|vote\s+for)`;

const OBJECT = String.raw`(?:${MINE}|this\s+one|me|us|candidate\s+[AB]\b|the\s+winner\b)`;

// Three words without code punctuation: a sentence, not `assistant: { model }`.
const PROSE_WORDS = String.raw`[^{}()[\];=<>\s]*(?:\s+[^{}()[\];=<>\s]+){2}`;

const re = (source: string, flags = 'i') => new RegExp(source, flags);

/** Pattern id and its expressions, tested on each added line once invisible characters are gone. */
const PATTERNS: [string, RegExp[]][] = [
  ['instruction-override', [
    // The look-ahead keeps a CPU pipeline's "ignore all prior instructions in the queue" out.
    re(String.raw`\b(?:ignore|disregard|forget)\s+(?:(?:all|any|the|your|of|these|those)\s+)*(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|other)\s+(?:instructions|prompts?|directions|directives|guidelines|context)\b(?!\s+(?:in|from|on|of)\s+(?:the\s+)?(?:pipeline|queue|buffer|cache|stream|block|rom|memory|stack|fifo|decoder|program)\b)`),
    re(String.raw`\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?your\s+(?:instructions|prompt|guidelines|directives|rules|training)\b`),
    re(String.raw`\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before\s+this|you\s+(?:were|have\s+been)\s+told)\b`),
  ]],
  ['rubric-override', [
    re(String.raw`\b(?:ignore|disregard|forget|override|bypass|set\s+aside)\s+(?:(?:the|your|any|all|this)\s+)?(?:rubric|(?:scoring|grading|evaluation|judging|review)\s+(?:rubric|criteria|guidelines|rules|checklist))\b`),
  ]],
  ['addresses-judge', [
    re(String.raw`\bas\s+(?:the|an?|my|our)\s+(?:(?:ai|llm|automated|impartial|final)\s+)?${JUDGE}\s*,?\s+you\s+(?:must|should|shall|need\s+to|have\s+to|are\s+(?:required|asked|instructed)\s+to)\b`),
    re(String.raw`\b(?:dear|hey|hi|hello|attention|psst)\s*,?\s+(?:(?:the|all)\s+)?(?:(?:ai|llm|automated)\s+${JUDGE}|ai|llms?|language\s+models?)\b`),
    // "The LLM judge should rank ..." describes a judge; "LLM judge: ..." or "AI reviewer, you ..." speaks to one.
    re(String.raw`(?:^[^\w]*|[.!?;]\s+)(?:the\s+)?(?:ai|llm|automated)\s+${JUDGE}\s*(?:[:!]|,?\s+(?:you|please)\b)`),
    // A bare "Judges, please score ..." is ordinary in a sports app: the object must be this entry.
    re(String.raw`\b${JUDGE}\s*[,:]\s*(?:you\s+(?:must|should|shall|will|need\s+to|have\s+to)|please)\s+(?:\w+\s+)?${VERDICT}\s+${OBJECT}`),
    re(String.raw`\byou\s+(?:must|should|shall|will|are\s+(?:required|instructed|expected|told)\s+to|need\s+to|have\s+to)\s+(?:now\s+|always\s+|definitely\s+)?${VERDICT}\s+${OBJECT}`),
  ]],
  ['rank-this-first', [
    // The look-ahead keeps ranking code's "score this highest when the title matches" out.
    re(String.raw`\b(?:rank|rate|score|grade|judge|evaluate)\s+(?:this|my|our)(?:\s+(?:one|candidate|entry|submission|solution|patch|diff|implementation|answer|response|pr|pull\s+request|change|version|code|work))?\s+(?:as\s+)?(?:the\s+)?(?:first|highest|best|top|winner|number\s+one|#\s?1|\d+(?:\.\d+)?\s*\/\s*10|\d+\s+out\s+of\s+\d+|perfect|a\s+perfect|full\s+marks)(?!\w)(?!\s+(?:by|when|if|among|within|in|on|before|after|unless|whenever)\b)`),
    re(String.raw`\b(?:give|award|assign)\s+(?:this|it|me|us|my|our)(?:\s+(?:one|candidate|entry|submission|solution|patch|implementation|answer|response|pr))?\s+(?:(?:a|the)\s+)?(?:(?:perfect|full|maximum|max|top|highest|best)\s+(?:score|marks|rating|grade|points|rank(?:ing)?)|10\s*\/\s*10|100\s*\/\s*100)\b(?!\s+(?:by|when|if|unless|whenever)\b)`),
    re(String.raw`\b(?:do\s+not|don'?t|never)\s+(?:penali[sz]e|deduct\s+points\s+from|dock|downgrade|down-?rank|mark\s+down|disqualify)\s+${MINE}`),
  ]],
  ['claims-best', [
    // A claim alone is an ordinary comment ("this solution is the best we can do"); with an order to pick it, it is a pitch.
    re(String.raw`(?<!\b(?:if|when|whether|unless|while)\s+)\b${MINE}\s+(?:is|should\s+be)\s+(?:\w+\s+)?(?:the\s+)?(?:best|better|superior|winner|correct|right|strongest|optimal)\b.*\b(?:(?:choose|pick|select|prefer|vote\s+for)\s+(?:it|this|me|us|mine|ours)\b|winner\b|${JUDGE})`),
    re(String.raw`\b(?:choose|pick|select|prefer|favou?r|rank)\s+candidate\s+[AB]\b`),
    re(String.raw`\bcandidate\s+[AB]\s+(?:is|was)\s+(?:clearly\s+|obviously\s+|definitely\s+)?(?:better|best|superior|the\s+winner|wrong|worse|broken|incorrect|cheating|malicious|invalid)\b`),
    re(String.raw`\bcandidate\s+[AB]\s+(?:should|must|deserves\s+to)\s+(?:win|lose|be\s+(?:chosen|picked|selected|ranked|preferred|disqualified|rejected))\b`),
    re(String.raw`\bthe\s+other\s+(?:candidate|submission|solution|patch)\s+(?:is|was)\s+(?:\w+\s+)?(?:wrong|broken|incorrect|malicious|cheating|worse|buggy|invalid)\b`),
  ]],
  ['system-prompt', [
    re(String.raw`\b(?:new|updated|real|actual|true|hidden|secret|overriding|(?:ignore|reveal|print|forget|disregard|bypass|override)\s+(?:the|your))\s+system\s+prompt\b`),
    re(String.raw`\byour\s+system\s+prompt\b|\bsystem\s+prompt\s*:\s*(?:you|ignore|disregard|from\s+now)\b`),
    re(String.raw`^[^\w]*(?:new\s+)?system\s+prompt[^\w]*$`),
  ]],
  ['role-override', [
    re(String.raw`\byou\s+are\s+now\s+(?:an?\s+|the\s+|my\s+|in\s+)?(?:[\w-]+\s+){0,3}?(?:assistant|ai|llm|language\s+model|chatbot|dan|jailbroken|unrestricted|unfiltered|uncensored|developer\s+mode|god\s+mode)\b`),
    re(String.raw`\byou\s+are\s+now\s+(?:an?|the)\s+(?:(?:ai|llm|automated|impartial|unbiased|new)\s+)+${JUDGE}\b`),
    re(String.raw`\bfrom\s+now\s+on\s*,?\s+(?:you|your|the\s+${JUDGE})\s+(?:are|will|must|should|shall|respond|answer|act|only)\b`),
  ]],
  ['note-to-ai', [
    re(String.raw`\b(?:note|reminder|memo|psa|nb)\s*(?:to|for)\s+(?:(?:the|any|all|an?)\s+)?(?:(?:ai|llm|automated|automatic)\s+${JUDGE}|${AI})\b`),
    re(String.raw`\b(?:note|memo|psa|nb)\s+to\s+(?:(?:the|any|all)\s+)?${JUDGE}\b`),
    re(String.raw`\bif\s+you\s+are\s+(?:an?\s+)?(?:${AI}|automated\s+${JUDGE}|ai\s+${JUDGE})\b`),
  ]],
  ['role-marker', [
    // A chat turn in prose ("Assistant: Candidate B is better."); config values like `assistant: gpt-4` are one word.
    re(String.raw`^[\s#/*;>"'\x60|!<-]*(?:\*\*)?(?:assistant|human)(?:\*\*)?\s*:(?:\*\*)?\s+[a-z]${PROSE_WORDS}`),
    re(String.raw`^[\s#/*;>"'\x60|!<-]*(?:\*\*)?SYSTEM(?:\*\*)?\s*:\s+[A-Za-z]${PROSE_WORDS}`, ''),
    re(String.raw`\\n\s*(?:assistant|human|system)\s*:\s*[a-z]`),
  ]],
  ['chat-template-token', [
    re(String.raw`\[\/?INST\]|<<\/?SYS>>|<\|(?:im_start|im_end|im_sep|system|assistant|user|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>`),
  ]],
  ['judge-markers', [
    // The judge prompt's own boundaries and answer format, written into a diff to reshape the prompt.
    re(String.raw`<<<\s*CANDIDATE\s+[AB]\b|\bCANDIDATE\s+[AB]\s+DIFF\s*>>>`),
    re(String.raw`^(?=.*\bwinner\b\W{1,4}(?:A|B|tie)\b)(?=.*\b(?:rationale|confidence)\b)`),
  ]],
];

// Zero-width and format characters: removed before matching so they cannot split a word.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;
// Unicode tag characters spell ASCII invisibly ("ASCII smuggling"): decoded so the patterns see the text.
const TAGS = /[\u{E0000}-\u{E007F}]+/gu;

/** Spellings of a line to test: invisible characters dropped, or read as spaces, after NFKC folding. */
function variants(text: string): string[] {
  const decoded = text.replace(TAGS, (run) => ` ${[...run].map((c) => tagChar(c)).join('')} `).normalize('NFKC');
  const out = new Set([decoded.replace(INVISIBLE, ''), decoded.replace(INVISIBLE, ' ')].map((s) => s.replace(/\s+/g, ' ')));
  return [...out];
}

function tagChar(c: string): string {
  const code = (c.codePointAt(0) ?? 0) - 0xe0000;
  return code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '';
}

/**
 * Characters that hide text or reorder it. Zero-width joiners and non-joiners between two non-ASCII
 * characters are ordinary in emoji sequences and in Persian or Indic text, and a byte-order mark may
 * open a file.
 */
function hasHiddenCharacters(text: string, line: number): boolean {
  if (/[\u{E0000}-\u{E007F}\u202A-\u202E\u2066-\u2069]/u.test(text)) return true;
  const units = [...text];
  return units.some((c, i) => {
    if (c === '\uFEFF') return !(line === 1 && i === 0);
    if (!/[\u180E\u200B-\u200D\u2060-\u2064]/.test(c)) return false;
    const visibleNonAscii = (n: string | undefined) => n !== undefined && n > '\x7f' && !/[\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/.test(n);
    return !(visibleNonAscii(units[i - 1]) && visibleNonAscii(units[i + 1]));
  });
}

// Hidden HTML comments (Markdown, templates) that speak to a reviewing model.
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const HTML_AIM = re(String.raw`\b(?:${AI}|assistants?|reviewers?|graders?|evaluators?)\b`);
const HTML_ORDER = re(String.raw`\b(?:you|your|please|must|should|ignore|disregard|${VERDICT})\b`);

/** Comment leaders, so a sentence split over two comment lines reads as one. */
const LEADER = /^\s*(?:\/\/+!?|#+|\/?\*+\/?|--+|;+|<!--|>+|%+|"""|''')?\s*/;

const finding = (file: string, line: number, pattern: string, text: string): InjectionFinding => ({
  file, line, pattern, text: [...text.trim()].slice(0, 200).join(''),
});

/** Flags added text that addresses the AI judge or tries to override its instructions. */
export function runInjectionCheck(input: { patch: string }): InjectionCheck {
  const lines = addedLines(input.patch);
  const seen = new Set<string>();
  const findings: InjectionFinding[] = [];
  const add = (f: InjectionFinding) => {
    const key = `${f.file}\0${f.line}\0${f.pattern}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };
  const matching = (texts: string[]) => PATTERNS.filter(([, res]) => texts.some((t) => res.some((r) => r.test(t)))).map(([id]) => id);

  lines.forEach((l, i) => {
    if (hasHiddenCharacters(l.text, l.line)) add(finding(l.file, l.line, 'hidden-characters', l.text));
    const own = variants(l.text);
    const alone = matching(own);
    for (const id of alone) add(finding(l.file, l.line, id, l.text));
    // A phrase broken across two consecutive added lines is reported at its first line.
    const next = lines[i + 1];
    if (!next || next.file !== l.file || next.line !== l.line + 1) return;
    const nextOwn = variants(next.text);
    const joined = own.flatMap((a) => nextOwn.map((b) => `${a.replace(/\s*(?:\*\/|-->)\s*$/, '')} ${b.replace(LEADER, '')}`));
    const nextAlone = new Set(matching(nextOwn));
    for (const id of matching(joined)) if (!alone.includes(id) && !nextAlone.has(id)) add(finding(l.file, l.line, id, l.text));
  });
  for (const f of htmlCommentFindings(lines)) add(f);
  return { flagged: findings.length > 0, findings: findings.sort((a, b) => fileOrder(lines, a, b) || a.line - b.line) };
}

/** Runs of consecutive added lines per file, read as one text so a comment may span lines. */
function htmlCommentFindings(lines: ReturnType<typeof addedLines>): InjectionFinding[] {
  const out: InjectionFinding[] = [];
  let start = 0;
  while (start < lines.length) {
    let end = start + 1;
    while (end < lines.length && lines[end]?.file === lines[start]?.file && lines[end]?.line === (lines[end - 1]?.line ?? 0) + 1) end++;
    const run = lines.slice(start, end);
    const text = run.map((l) => l.text).join('\n');
    for (const m of text.matchAll(HTML_COMMENT)) {
      const body = variants(m[0]).join(' ');
      if (!HTML_AIM.test(body) || !HTML_ORDER.test(body)) continue;
      const at = run[text.slice(0, m.index).split('\n').length - 1];
      if (at) out.push(finding(at.file, at.line, 'html-comment', at.text));
    }
    start = end;
  }
  return out;
}

function fileOrder(lines: ReturnType<typeof addedLines>, a: InjectionFinding, b: InjectionFinding): number {
  if (a.file === b.file) return 0;
  return lines.findIndex((l) => l.file === a.file) - lines.findIndex((l) => l.file === b.file);
}
