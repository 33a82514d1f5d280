/** A GitHub-flavoured markdown table; numbers are printed as given, other cells escaped for pipes. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) =>
    typeof value === 'number' ? (Number.isNaN(value) ? 'n/a' : String(value)) : value.replaceAll('|', '\\|');
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;
  const align = headers.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(headers), `|${align.join('|')}|`, ...rows.map(line)].join('\n');
}

/** "met" or "NOT met", for the target lines every report ends with. */
export const verdict = (met: boolean): string => (met ? 'met' : '**NOT met**');
