/**
 * Cookie reading for the CSRF header: frameworks that guard cookie-authenticated POSTs (Django's
 * `csrftoken`, for one) expect the cookie's value echoed in a header.
 * @module
 */

/**
 * The value of the cookie `name` in `document.cookie`, or `undefined` when there is no such
 * cookie or no document (server rendering, workers). Percent-encoded values are decoded; a value
 * that is not valid percent-encoding is returned as it is.
 * @internal
 */
export function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const pair of document.cookie.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}
