// A small JavaScript/TypeScript tokenizer: just enough to find calls and their literal arguments without being
// fooled by comments, strings, template literals or regular expression literals that contain quotes or `Given(`.
// It does not validate anything: on odd input it produces odd tokens, never an exception.

export type TokenKind = "identifier" | "number" | "string" | "template" | "regexp" | "punctuator" | "comment";

export interface Token {
  kind: TokenKind;
  /** The token's source text (for a template, one piece: from "`" or "}" to "${" or "`"). */
  text: string;
  /** The cooked value of a string, or of a template without substitutions. */
  value?: string;
  /** For a template piece: whether the template has `${…}` substitutions. */
  substitutions?: boolean;
  start: number;
  end: number;
  /** 1-based lines of the token's first and last character. */
  line: number;
  endLine: number;
  /** Whether only whitespace precedes the token on its line. */
  startsLine: boolean;
}

const identifierStart = /[A-Za-z_$#\u0080-\uffff]/;
const identifierPart = /[\w$\u0080-\uffff]/;
/** After these keywords a `/` starts a regular expression, as after an operator. */
const keywordsBeforeExpression = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

export function scanTokens(source: string): Token[] {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i += 1) if (source[i] === "\n") lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
  const tokens: Token[] = [];
  const push = (kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}): void => {
    const line = lineOf(start);
    const startsLine = source.slice(lineStarts[line - 1]!, start).trim() === "";
    tokens.push({
      kind,
      text: source.slice(start, end),
      start,
      end,
      line,
      endLine: lineOf(end - 1),
      startsLine,
      ...extra,
    });
  };
  /** What each open `{` was: a block or object, or the `${` of a template literal. */
  const braces: ("brace" | "template")[] = [];
  let lastCode: Token | undefined;

  /** Scans a template piece starting after its opening "`" or "}"; returns where it ends and whether at "${". */
  const scanTemplate = (from: number): { end: number; open: boolean } => {
    let i = from;
    while (i < source.length) {
      const char = source[i];
      if (char === "\\") i += 2;
      else if (char === "`") return { end: i + 1, open: false };
      else if (char === "$" && source[i + 1] === "{") return { end: i + 2, open: true };
      else i += 1;
    }
    return { end: source.length, open: false };
  };

  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    const next = source[i + 1];
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const start = i;
    if (char === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i += 1;
      push("comment", start, i);
      continue;
    }
    if (char === "/" && next === "*") {
      const close = source.indexOf("*/", i + 2);
      i = close === -1 ? source.length : close + 2;
      push("comment", start, i);
      continue;
    }
    if (char === '"' || char === "'") {
      i += 1;
      while (i < source.length && source[i] !== char && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      i = Math.min(i + 1, source.length);
      push("string", start, i, { value: cookString(source.slice(start + 1, i - 1)) });
      lastCode = tokens.at(-1);
      continue;
    }
    if (char === "`" || (char === "}" && braces.at(-1) === "template")) {
      if (char === "}") braces.pop();
      const { end, open } = scanTemplate(i + 1);
      const whole = char === "`" && !open;
      i = end;
      push("template", start, end, whole ? { value: cookString(source.slice(start + 1, end - 1)) } : {});
      const token = tokens.at(-1)!;
      token.substitutions = !whole;
      if (open) braces.push("template");
      lastCode = token;
      continue;
    }
    if (char === "/" && regexpAllowed(lastCode)) {
      const end = scanRegExp(source, i);
      if (end !== undefined) {
        i = end;
        push("regexp", start, end);
        lastCode = tokens.at(-1);
        continue;
      }
    }
    if (identifierStart.test(char)) {
      i += 1;
      while (i < source.length && identifierPart.test(source[i]!)) i += 1;
      push("identifier", start, i);
    } else if (/\d/.test(char) || (char === "." && next !== undefined && /\d/.test(next))) {
      i += 1;
      while (i < source.length && /[\w.]/.test(source[i]!)) i += 1;
      push("number", start, i);
    } else {
      if (char === "{") braces.push("brace");
      if (char === "}") braces.pop();
      i += 1;
      push("punctuator", start, i);
    }
    lastCode = tokens.at(-1);
  }
  return tokens;
}

function regexpAllowed(previous: Token | undefined): boolean {
  if (!previous) return true;
  if (previous.kind === "punctuator") return !")]".includes(previous.text);
  if (previous.kind === "identifier") return keywordsBeforeExpression.has(previous.text);
  return false;
}

/** The end of the regular expression literal starting at `start`, or undefined if there is none on this line. */
function scanRegExp(source: string, start: number): number | undefined {
  let inClass = false;
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === "\n") return undefined;
    if (char === "\\") i += 1;
    else if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    else if (char === "/" && !inClass) {
      i += 1;
      while (i < source.length && /[a-z]/.test(source[i]!)) i += 1;
      return i;
    }
    i += 1;
  }
  return undefined;
}

/** The value of a string literal's body (JavaScript escapes). */
function cookString(body: string): string {
  return body.replace(
    /\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g,
    (_whole, sequence: string) => {
      if (sequence.startsWith("u{")) return String.fromCodePoint(Number.parseInt(sequence.slice(2, -1), 16));
      if (sequence.length > 2 && (sequence.startsWith("u") || sequence.startsWith("x"))) {
        return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
      }
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", 0: "\0" };
      if (
        sequence === "\n" ||
        sequence === "\r\n" ||
        sequence === "\r" ||
        sequence === "\u2028" ||
        sequence === "\u2029"
      ) {
        return "";
      }
      return simple[sequence] ?? sequence;
    },
  );
}
