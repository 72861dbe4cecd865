// Locale-independent string order (UTF-16 code units), for sorts whose result reaches output: the same input must
// give the same bytes under any LANG (localeCompare orders 'ä' and 'z' differently in en_US and sv_SE).

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
