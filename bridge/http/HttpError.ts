/** An error with an HTTP status and a stable code; the message names the offending field. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function badField(field: string, message: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', `${field}: ${message}`, field);
}
