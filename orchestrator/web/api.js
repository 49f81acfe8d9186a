// The API as the dashboard uses it. The key lives in this tab's sessionStorage and
// travels only as the Authorization header, never in a URL. Every failure becomes an
// ApiError whose message is meant for people (never a traceback or a raw body).

const KEY_ITEM = "meetbridge.apiKey";

export const BAD_KEY = "That key was not accepted";
export const UNREACHABLE = "Cannot reach meetbridge";
const INTERNAL = "meetbridge had an internal error; try again";

export const session = {
  get key() {
    return sessionStorage.getItem(KEY_ITEM);
  },
  signIn(key) {
    sessionStorage.setItem(KEY_ITEM, key);
  },
  signOut() {
    sessionStorage.removeItem(KEY_ITEM);
  },
};

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status; // 0: no answer at all
  }
}

/** The API's words for a failed answer: its `detail`, a string or FastAPI's list. */
export function errorMessage(status, body) {
  if (status === 401) return BAD_KEY;
  if (status >= 500 && status !== 503 && status !== 504) return INTERNAL;
  const detail = body && typeof body === "object" ? body.detail : undefined;
  if (typeof detail === "string" && detail) return capitalised(detail);
  if (Array.isArray(detail) && detail.length) {
    return detail.map(fieldMessage).join("; ");
  }
  return `meetbridge answered ${status}`;
}

function fieldMessage(error) {
  const where = (error.loc || []).filter((part) => part !== "body").join(".");
  const message = String(error.msg || "is not valid");
  return where ? `${where}: ${message}` : capitalised(message);
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function authHeaders(extra = {}) {
  return { Authorization: `Bearer ${session.key ?? ""}`, ...extra };
}

/** A fetch with the key; resolves to the Response when it is 2xx, else throws ApiError. */
export async function request(method, path, { body, signal, key } = {}) {
  const headers = body === undefined ? {} : { "Content-Type": "application/json" };
  headers.Authorization = `Bearer ${key ?? session.key ?? ""}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
      credentials: "omit",
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(UNREACHABLE, 0);
  }
  if (!response.ok) {
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null; // a proxy's page, or nothing: the status says enough
    }
    throw new ApiError(errorMessage(response.status, parsed), response.status);
  }
  return response;
}

/** The parsed JSON body of a successful call. */
export async function call(method, path, options = {}) {
  const response = await request(method, path, options);
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    throw new ApiError("meetbridge sent an answer the page cannot read", response.status);
  }
}
