/**
 * Errors a route throws to answer with a status. Every one goes out as `{error, message}`, so a
 * client (or the scanner) can branch on `error` without parsing prose.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly error: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, error: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.error = error;
    this.headers = headers;
  }
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'bad_request', message);
}

export function unauthorized(message = 'A valid bearer token is required: POST /auth/login to get one.'): ApiError {
  return new ApiError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, 'forbidden', message);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}
