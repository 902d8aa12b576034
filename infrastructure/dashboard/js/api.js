// The API as the page calls it: tRPC's HTTP wire format (httpLink, no transformer) with the user's
// bearer token. Queries: GET /trpc/<path>?input=<json>; mutations: POST /trpc/<path> with a JSON body.
import config from '../config.js';

const TOKEN_KEY = 'mailchimp-dashboard-token';

export class ApiError extends Error {
  constructor(message, code, httpStatus, path) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.path = path;
  }
}

export function apiBaseUrl() {
  return String(config.apiBaseUrl || window.location.origin).replace(/\/+$/, '');
}

export const session = {
  token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  /** The token's claims for display (org, role, expiry); the API is what checks them. */
  claims() {
    const token = this.token();
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')));
    } catch {
      return {};
    }
  },
};

let onUnauthorized = () => {};
/** Called with the error whenever the API answers 401: the page shows its sign-in view. */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

const STATUS_CODES = {
  400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_SUPPORTED',
  409: 'CONFLICT', 412: 'PRECONDITION_FAILED', 413: 'PAYLOAD_TOO_LARGE', 429: 'TOO_MANY_REQUESTS',
};

/** True when the token says it has expired (the API checks it too; this spares a doomed request). */
function expired(claims) {
  return typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now();
}

async function call(type, path, input) {
  const base = `${apiBaseUrl()}/trpc/${path}`;
  const headers = { accept: 'application/json' };
  const token = session.token();
  if (token && expired(session.claims())) {
    // A deployed API Gateway may answer an expired token without CORS headers, which a browser only
    // sees as a network failure: recognise expiry here so the user gets the sign-in message.
    const failure = new ApiError('The token has expired', 'UNAUTHORIZED', 401, path);
    onUnauthorized(failure);
    throw failure;
  }
  if (!token) {
    // Signed out meanwhile (another call found the token expired): the API would only answer 401, which the
    // browser logs as an error; end where that answer would.
    const failure = new ApiError('Not signed in', 'UNAUTHORIZED', 401, path);
    onUnauthorized(failure);
    throw failure;
  }
  headers.authorization = `Bearer ${token}`;
  let url = base;
  const init = { method: type === 'query' ? 'GET' : 'POST', headers };
  if (type === 'query') {
    if (input !== undefined) url += `?input=${encodeURIComponent(JSON.stringify(input))}`;
  } else {
    headers['content-type'] = 'application/json';
    init.body = input === undefined ? '' : JSON.stringify(input);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(`Cannot reach the API at ${apiBaseUrl()}. Check your connection and try again.`,
      'NETWORK', 0, path);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body && 'result' in body) return body.result?.data ?? null;
  const error = body?.error;
  // API Gateway's own authorizer answers {"message":"Unauthorized"} without tRPC's envelope.
  const code = error?.data?.code ?? STATUS_CODES[response.status] ?? 'INTERNAL_SERVER_ERROR';
  const message = error?.message ?? body?.message ?? `The API answered HTTP ${response.status}`;
  const failure = new ApiError(message, code, error?.data?.httpStatus ?? response.status, path);
  if (code === 'UNAUTHORIZED') onUnauthorized(failure);
  throw failure;
}

export const query = (path, input) => call('query', path, input);
export const mutate = (path, input) => call('mutation', path, input);

/** The API's error in plain words, for showing next to what caused it. */
export function plainMessage(error) {
  if (!(error instanceof ApiError)) return `Something went wrong in the page: ${error?.message ?? error}`;
  switch (error.code) {
    case 'FORBIDDEN':
      return 'Your role cannot do this. Ask an admin of your organisation.';
    case 'UNAUTHORIZED':
      return 'Your sign-in has expired or is not valid. Sign in again.';
    case 'TOO_MANY_REQUESTS':
      return 'Too many requests right now. Wait a moment and try again.';
    case 'INTERNAL_SERVER_ERROR':
      return 'Something went wrong on our side. Try again; if it keeps happening, contact support.';
    case 'PAYLOAD_TOO_LARGE':
      return 'That is too much at once. Send less and try again.';
    case 'BAD_REQUEST':
      return error.message.replace(/^Invalid input:\s*/, '');
    default:
      return error.message;
  }
}

/**
 * Splits a BAD_REQUEST message ("Invalid input: name: required; filterCriteria.department: ...") into
 * problems per field, so each can be shown next to its input. Returns [{field, message}].
 */
export function fieldProblems(error) {
  if (!(error instanceof ApiError) || error.code !== 'BAD_REQUEST') return [];
  const text = error.message.replace(/^Invalid input:\s*/, '');
  return text.split(/;\s+/).map((part) => {
    const match = /^([A-Za-z][\w.[\]]*):\s+(.*)$/s.exec(part);
    return match ? { field: match[1], message: match[2] } : { field: null, message: part };
  });
}
