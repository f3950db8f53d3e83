import { AsyncLocalStorage } from 'node:async_hooks';

export interface CapturedProblem {
  type?: string;
  detail?: string;
  status?: number;
  retryAfterMs?: number;
}

export interface CallRecord {
  /** Sent with every request of this call (an adapter's own CA trust), not set on the shared instance. */
  httpsAgent?: unknown;
  url?: string;
  problem?: CapturedProblem;
  networkError?: string;
}

interface AxiosLikeResponse {
  status: number;
  headers: Record<string, string | undefined>;
  data?: unknown;
  config?: { url?: string };
}

interface InterceptorManager<T> {
  use(onFulfilled: ((v: T) => unknown) | null, onRejected?: (e: unknown) => unknown): unknown;
  handlers?: unknown[];
}

interface AxiosLike {
  interceptors: {
    request: InterceptorManager<{ url?: string; httpsAgent?: unknown }>;
    response: InterceptorManager<AxiosLikeResponse>;
  };
}

/**
 * acme-client throws `Error(problem.detail)` and forgets the problem type, status and Retry-After.
 * Every request goes through its shared axios instance, so interceptors record the last failed
 * response of the current call (tracked per async call chain, so concurrent calls do not mix).
 */
export const calls = new AsyncLocalStorage<CallRecord>();
const installed = new WeakSet<object>();

export function installProblemCapture(axios: AxiosLike): void {
  if (installed.has(axios)) return;
  installed.add(axios);
  axios.interceptors.request.use((config) => {
    const record = calls.getStore();
    if (record) record.url = config.url;
    if (record?.httpsAgent) config.httpsAgent = record.httpsAgent;
    return config;
  });
  axios.interceptors.response.use(
    (response) => {
      record(response);
      return response;
    },
    (error: unknown) => {
      const e = error as { response?: AxiosLikeResponse };
      if (e.response) record(e.response);
      return Promise.reject(error);
    },
  );
  // acme-client's own error interceptor turns a network error (no response) into a TypeError
  // ("reading 'config'"); note the real cause (ECONNREFUSED, ETIMEDOUT …) before it runs.
  const response = axios.interceptors.response;
  const before = { fulfilled: null, rejected: noteNetworkError, synchronous: false, runWhen: null };
  if (Array.isArray(response.handlers)) response.handlers.unshift(before);
}

function noteNetworkError(error: unknown): Promise<never> {
  const e = error as { response?: unknown; code?: string; message?: string };
  const r = calls.getStore();
  if (r && !e.response) r.networkError = e.code ?? e.message ?? 'network error';
  return Promise.reject(error);
}

function record(response: AxiosLikeResponse): void {
  const r = calls.getStore();
  if (!r) return;
  if (response.status < 400) {
    r.problem = undefined;
    return;
  }
  const data = (typeof response.data === 'object' && response.data) || {};
  const { type, detail } = data as { type?: unknown; detail?: unknown };
  r.problem = {
    type: typeof type === 'string' ? type : undefined,
    detail: typeof detail === 'string' ? detail : undefined,
    status: response.status,
    retryAfterMs: parseRetryAfter(response.headers['retry-after']),
  };
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
