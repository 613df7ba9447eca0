// The API key lives in sessionStorage only: never a cookie (nothing is sent that the page did not
// add itself) and never localStorage (it goes when the tab closes).
const STORAGE_KEY = 'mediary.api_key';

export function getKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function setKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
