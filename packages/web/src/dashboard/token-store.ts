/**
 * @module
 * The token the dashboard speaks with, entered once and kept in sessionStorage: it lasts
 * while the tab is open (reloads and links included) and is gone when the tab closes,
 * and it never appears in a URL, where logs and the browser's history would keep it.
 */

const KEY = 'anygrid.dashboard.token';

export function savedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
