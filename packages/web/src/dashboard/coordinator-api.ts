/**
 * @module
 * The coordinator's JSON API as the dashboard calls it: same origin, the token as a
 * bearer header, errors rebuilt from the coordinator's `{ error: { code, message } }`.
 */

/** An answer other than 2xx, with the coordinator's stable code and sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, token: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // a proxy's HTML error page, say: reported below by status
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `The coordinator answered ${res.status} ${res.statusText}.`,
    );
  }
  return body as T;
}
