import { domainError, err, ok, type Result } from './result.js';
import { isUuid } from './ids.js';

/** Trims and checks a required text's length (in Unicode code points). */
export function text(
  field: string,
  value: string,
  { min = 1, max }: { min?: number; max: number },
): Result<string> {
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (length < min)
    return err(domainError('VALIDATION.TOO_SHORT', `${field} needs at least ${min} characters`, field));
  if (length > max)
    return err(domainError('VALIDATION.TOO_LONG', `${field} allows at most ${max} characters`, field));
  return ok(trimmed);
}

export function uuid(field: string, value: string): Result<string> {
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
