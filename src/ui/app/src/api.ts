/**
 * The app's only way to the server: JSON over fetch, the CSRF token on every change, errors as
 * ApiError with the server's message (oned's own words where oned refused). A 503 means oned is
 * down: the banner shows and queries retry; a 401 sends the user to the login page.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

let csrf = '';
export function setCsrf(token: string): void {
  csrf = token;
}

type Listener = () => void;
const unauthorized = new Set<Listener>();
/** Called when the server says the session is gone. */
export function onUnauthorized(l: Listener): () => void {
  unauthorized.add(l);
  return () => unauthorized.delete(l);
}

const onedListeners = new Set<(up: boolean) => void>();
export function onOnedStatus(l: (up: boolean) => void): () => void {
  onedListeners.add(l);
  return () => onedListeners.delete(l);
}
export function reportOned(up: boolean): void {
  for (const l of onedListeners) l(up);
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      credentials: 'same-origin',
      headers: { ...(init.body && !(init.body instanceof Blob) ? { 'Content-Type': 'application/json' } : {}), ...(init.method && init.method !== 'GET' ? { 'X-CSRF-Token': csrf } : {}), ...init.headers },
    });
  } catch {
    throw new ApiError(0, 'The operations center does not answer: check your connection. Retrying.');
  }
  let body: { error?: string; code?: number; oned?: string } & Record<string, unknown> = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (res.status === 503 || body.oned === 'down') reportOned(false);
  else if (res.ok || body.oned === 'up') reportOned(true);
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/auth/login') for (const l of unauthorized) l();
    throw new ApiError(res.status, body.error ?? `${res.status} ${res.statusText}`, body.code);
  }
  return body as T;
}

/** GET of one of the server's own JSON endpoints (session expiry and oned's status handled as for every call). */
export function get<T>(path: string): Promise<T> {
  return request<T>(path);
}

/** POST of JSON to one of the server's own endpoints, with the CSRF token. */
export function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: 'POST', body: JSON.stringify(body) });
}

/** Any method on one of the server's own JSON endpoints (the OneFlow pages' PUT and DELETE). */
export function send<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return request<T>(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

export interface Me {
  user: string;
  uid: number;
  admin: boolean;
  csrf: string;
  expiresAt: number;
}

export const auth = {
  me: () => request<Me>('/api/auth/me'),
  login: (username: string, password: string) => request<Me>('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) }),
  logout: () => request<{ ok: boolean }>('/api/auth/logout', { method: 'POST', body: '{}' }),
};

/** A JSON tree of oned's XML: objects, strings, and arrays where a name repeats. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tree = any;

/** Calls one of oned's methods with the user's session (the session argument is added by the server). */
export async function call<T = Tree>(method: string, ...params: unknown[]): Promise<T> {
  return (await request<{ result: T }>('/api/call', { method: 'POST', body: JSON.stringify({ method, params }) })).result;
}

export type Row = Record<string, string | number | string[]>;
export interface PoolPage<R = Row> {
  kind: string;
  version: number;
  total: number;
  offset: number;
  rows: R[];
}
export interface PoolQuery {
  q?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
  where?: Record<string, string | number>;
}

export function pool<R = Row>(kind: string, query: PoolQuery = {}): Promise<PoolPage<R>> {
  const p = new URLSearchParams();
  if (query.q) p.set('q', query.q);
  if (query.sort) p.set('sort', query.sort);
  if (query.dir) p.set('dir', query.dir);
  if (query.offset) p.set('offset', String(query.offset));
  if (query.limit) p.set('limit', String(query.limit));
  for (const [k, v] of Object.entries(query.where ?? {})) p.set(k, String(v));
  return request<PoolPage<R>>(`/api/pool/${kind}?${p}`);
}

/** Raw upload (images from the browser): the server stores the file and answers its path. */
export async function upload(file: File, onProgress?: (fraction: number) => void): Promise<{ path: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      let body: { error?: string; path?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.path) resolve({ path: body.path });
      else reject(new ApiError(xhr.status, body.error ?? `Upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'Upload failed: the operations center does not answer'));
    xhr.send(file);
  });
}

/** The value at `path` as a list (`TEMPLATE.DISK` is one object for one disk, a list for two). */
export function asArray<T>(v: T | T[] | undefined | null | ''): T[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}
