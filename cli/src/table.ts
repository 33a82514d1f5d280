/** One column of a fixed-width table: the row's field, its title, its width in characters. */
export type Column<R> = readonly [keyof R & string, string, number];

/** A value padded or cut (ending in …) to `width`: null and undefined print as '-', a Date in ISO. */
export const cell = (value: unknown, width: number): string => {
  const text =
    value instanceof Date ? value.toISOString() : value === null || value === undefined ? '-' : String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
};

/** The header line, then one line per row. */
export function table<R>(rows: readonly R[], columns: readonly Column<R>[]): string[] {
  const header = columns.map(([, title, width]) => cell(title, width)).join(' ');
  return [header, ...rows.map((row) => columns.map(([key, , width]) => cell(row[key], width)).join(' '))];
}
