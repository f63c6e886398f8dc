/**
 * Where the page keeps the token that ends this browser's alerts: localStorage, under a
 * key naming the deployment's origin, so two outcry deployments on one machine (or a
 * local runtime beside a real one) keep their subscriptions apart.
 */

/** The storage key of the unsubscribe token for the deployment at `origin`. */
export const tokenKey = (origin: string): string => `outcry.unsubscribe.${origin}`;

/** The unsubscribe token kept for this deployment, if any. */
export function keptToken(): string | null {
  try {
    return localStorage.getItem(tokenKey(location.origin));
  } catch {
    return null;
  }
}

/** Keeps (or, with null, forgets) this deployment's unsubscribe token. */
export function keepToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(tokenKey(location.origin), token);
    else localStorage.removeItem(tokenKey(location.origin));
  } catch {
    // Storage may be disabled: the alerts still come, and each text or email can end them.
  }
}
