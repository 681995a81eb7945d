// The console's one door to the admin API: the session cookie goes by itself; the CSRF token
// (from the session) goes in a header on every state-changing request.
let csrfToken = null;

export class SignedOut extends Error {}

export function setCsrf(token) {
  csrfToken = token;
}

/** `createOnly` (a PUT from a New form) sends If-None-Match: *, so an existing site or webhook is refused (412), never replaced. */
export async function api(method, path, body, { createOnly = false } = {}) {
  const headers = {};
  if (createOnly) headers['if-none-match'] = '*';
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

/**
 * POSTs `fields` as a form into the frame named `target`, which then shows the answer as a page
 * of its own, under that answer's headers (its CSP): HTML handed to a frame (srcdoc, blob:) would
 * take the console's policy instead. A form sets no header: the CSRF token goes as a field.
 */
export function postToFrame(path, fields, target) {
  const form = document.createElement('form');
  Object.assign(form, { method: 'post', action: `/admin/v1${path}`, target, hidden: true });
  for (const [name, value] of Object.entries({ ...fields, ...(csrfToken && { csrfToken }) })) {
    const input = document.createElement('input');
    Object.assign(input, { type: 'hidden', name, value });
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  form.remove();
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
