// Response builders with AmoCRM's content types: `application/hal+json` on success,
// `application/problem+json` on errors, and a 204 with no body and no content type for empty lists.
import type { HttpResponse } from '../emulator-types.js';

export interface FieldError {
  code: string;
  path: string;
  detail: string;
}

export interface ValidationItem {
  request_id: string;
  errors: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
};

export function hal(body: unknown, status = 200): HttpResponse {
  return { status, headers: { 'content-type': 'application/hal+json' }, body };
}

export function noContent(): HttpResponse {
  return { status: 204, headers: {}, body: null };
}

/** `{title, type, status, detail}` problem document (the shape of AmoCRM's non-validation errors). */
export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: {
      ...extra,
      title: TITLES[status] ?? 'Error',
      type: `https://httpstatus.es/${status}`,
      status,
      detail,
    },
  };
}

/** 400 with `validation-errors`, AmoCRM's answer to a body or query it rejects. */
export function validationProblem(items: ValidationItem[]): HttpResponse {
  return problem(400, 'Request validation failed', { 'validation-errors': items });
}

/** A validation problem about one request-level field (query parameter or the body as a whole). */
export function requestProblem(code: string, path: string, detail: string): HttpResponse {
  return validationProblem([{ request_id: '0', errors: [{ code, path, detail }] }]);
}

export function notFound(detail: string): HttpResponse {
  return problem(404, detail);
}

/** DELETE on leads, contacts, companies, tasks and notes (the v4 API has none), and other unsupported methods. */
export function methodNotAllowed(allow = 'GET, POST, PATCH'): HttpResponse {
  const res = problem(405, 'Method not allowed');
  // HTTP requires a 405 to say which methods the resource does allow.
  return { ...res, headers: { ...res.headers, allow } };
}
