export function baseLanguage(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0]!;
}
