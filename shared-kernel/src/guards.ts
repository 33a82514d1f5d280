import { domainError, err, ok, type DomainError, type Result } from './result.js';
import { isUuid } from './ids.js';

/**
 * Characters free text never carries: controls (C0 and C1, DEL), format characters (bidi
 * embeddings, overrides, isolates and marks, zero-width spaces, the BOM, soft hyphen, ...),
 * line and paragraph separators and lone surrogates. They are invisible or reorder what is
 * shown, so stored verbatim they reach other users' screens, terminals and notifications.
 * Two format characters are legitimate inside words and are allowed between two visible
 * characters (not at an edge, not next to a space): ZWJ (U+200D, emoji sequences such as
 * 👩‍💻, and Indic scripts) and ZWNJ (U+200C, Persian and Indic words). Tag characters
 * (U+E0020-E007F) are allowed only in an emoji tag sequence after U+1F3F4 (the flags of
 * England, Scotland and Wales).
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const JOINERS = new Set(['\u200c', '\u200d']);
const BLACK_FLAG = '\u{1f3f4}';
const isTag = (c: string) => c >= '\u{e0020}' && c <= '\u{e007f}';
const joinable = (c: string | undefined) => c !== undefined && !/[\s\p{C}\p{Z}]/u.test(c);

/** The first character `value` may not carry, or undefined. `multiline` lets \n and \t through. */
function forbiddenCharacter(chars: readonly string[], multiline: boolean): string | undefined {
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (!FORBIDDEN.test(c)) continue;
    if (multiline && (c === '\n' || c === '\t')) continue;
    if (JOINERS.has(c) && joinable(chars[i - 1]) && joinable(chars[i + 1])) continue;
    if (isTag(c) && (chars[i - 1] === BLACK_FLAG || isTag(chars[i - 1] ?? ''))) continue;
    return c;
  }
  return undefined;
}

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` refuses a value. */
export type TextRefusal = DomainError<
  'VALIDATION.CONTROL_CHARACTERS' | 'VALIDATION.TOO_SHORT' | 'VALIDATION.TOO_LONG'
>;

/**
 * The one rule for free text: normalised to NFC (so "é" typed two ways is one string) and
 * trimmed; refuses control, format (bidi override, zero-width) and separator characters with
 * `VALIDATION.CONTROL_CHARACTERS` (see FORBIDDEN); then checks the length in Unicode code
 * points. Single-line text (names, cities, codes) allows no line break or tab; `multiline`
 * text (descriptions, review bodies, reasons) keeps \n and \t, and its \r\n and lone \r
 * become \n.
 */
export function text(
  field: string,
  value: string,
  { min = 1, max, multiline = false }: { min?: number; max: number; multiline?: boolean },
): Result<string, TextRefusal> {
  const normalised = value.normalize('NFC');
  const trimmed = (multiline ? normalised.replace(/\r\n?/g, '\n') : normalised).trim();
  const chars = [...trimmed];
  const bad = forbiddenCharacter(chars, multiline);
  if (bad !== undefined) {
    const lines = multiline ? '' : ', line breaks, tabs';
    return err(
      domainError(
        'VALIDATION.CONTROL_CHARACTERS',
        `${field} must not contain control characters${lines} or invisible formatting characters (found ${codePoint(bad)})`,
        field,
      ),
    );
  }
  const length = chars.length;
  if (length < min)
    return err(domainError('VALIDATION.TOO_SHORT', `${field} needs at least ${min} characters`, field));
  if (length > max)
    return err(domainError('VALIDATION.TOO_LONG', `${field} allows at most ${max} characters`, field));
  return ok(trimmed);
}

/**
 * Text that follows a strict pattern (a carrier, a tracking number, a code): the free-text
 * rule first (so the error names control characters when that is what is wrong), then
 * `pattern`, whose `description` tells the caller what is allowed. `upperCase` normalises
 * before the pattern is checked.
 */
export function pattern(
  field: string,
  value: string,
  rule: { pattern: RegExp; description: string; upperCase?: boolean; max: number },
): Result<string> {
  const checked = text(field, value, { max: rule.max });
  if (!checked.ok) return checked;
  const normalised = rule.upperCase ? checked.value.toUpperCase() : checked.value;
  return rule.pattern.test(normalised)
    ? ok(normalised)
    : err(domainError('VALIDATION.PATTERN', `${field} must be ${rule.description}`, field));
}

export function uuid(field: string, value: string): Result<string, DomainError<'VALIDATION.MALFORMED_ID'>> {
  return isUuid(value)
    ? ok(value.toLowerCase())
    : err(domainError('VALIDATION.MALFORMED_ID', `${field} is not a valid id`, field));
}

export function integer(
  field: string,
  value: number,
  { min, max }: { min?: number; max?: number } = {},
): Result<number> {
  if (!Number.isSafeInteger(value))
    return err(domainError('VALIDATION.NOT_INTEGER', `${field} must be an integer`, field));
  if (min !== undefined && value < min)
    return err(domainError('VALIDATION.OUT_OF_RANGE', `${field} must be at least ${min}`, field));
  if (max !== undefined && value > max)
    return err(domainError('VALIDATION.OUT_OF_RANGE', `${field} must be at most ${max}`, field));
  return ok(value);
}
