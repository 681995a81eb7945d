// The console's one door to the admin API: the session cookie goes by itself; the CSRF token
// (from the session) goes in a header on every state-changing request.
let csrfToken = null;

export class SignedOut extends Error {}

export function setCsrf(token) {
  csrfToken = token;
}

export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/admin/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && !path.startsWith('/session')) throw new SignedOut(data.error ?? 'Signed out');
  if (!response.ok) throw Object.assign(new Error(data.error ?? `HTTP ${response.status}`), { status: response.status, data });
  return data;
}

/** Streams a file as the request body (the import API takes the file itself, not a form). */
export async function upload(path, file) {
  const response = await fetch(`/admin/v1${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': file.type || 'application/octet-stream', ...(csrfToken && { 'x-csrf-token': csrfToken }) },
    body: file,
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) throw new SignedOut(data.error ?? 'Signed out');
  if (!response.ok) throw Object.assign(new Error(data.error ?? `HTTP ${response.status}`), { status: response.status, data });
  return data;
}
