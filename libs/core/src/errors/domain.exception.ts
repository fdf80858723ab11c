/** One failing field of a request, as it appears in a problem's `errors[]`. */
export interface FieldError {
  /** JSON pointer to the offending value (`/email`, `/args/count`). */
  pointer: string;
  message: string;
}

export interface DomainExceptionOptions {
  status: number;
  /** Stable, upper-snake code clients may branch on (`TOOL_NOT_FOUND`). */
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra response headers the problem implies (`Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
}

/** An error the domain expects and can name; the problem filter turns it into application/problem+json. */
export class DomainException extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(options: DomainExceptionOptions) {
    super(options.detail ?? options.title);
    this.name = new.target.name;
    this.status = options.status;
    this.code = options.code;
    this.title = options.title;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export class ValidationFailedException extends DomainException {
  constructor(errors: FieldError[], detail = 'The request is not valid; see errors for each failing field.') {
    super({ status: 400, code: 'VALIDATION_FAILED', title: 'Request validation failed', detail, errors });
  }
}
