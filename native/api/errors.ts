/**
 * Typed errors that cross every front door (IPC, HTTP, CLI) as plain `{code, message, details}`.
 * `message` is a whole sentence a user can read; `details` carries machine-readable context
 * (the field, the file and line, the offending value).
 */
export type ErrorCode =
  | 'invalid_input' // a request failed its schema, or a value is out of range
  | 'not_found' // the named record does not exist
  | 'conflict' // the request clashes with existing state (duplicate name, run already running)
  | 'unauthorized' // missing or wrong per-launch token
  | 'unknown_method' // no such contract method
  | 'bad_file' // an input file is malformed (details name the file, line and field)
  | 'schema_too_new' // the database was written by a newer Nashlab
  | 'unavailable' // a requested capability (execution provider, display) is missing here
  | 'cancelled' // the work was cancelled by the user
  | 'internal' // a bug: the message says what was being done

export interface ErrorShape {
  code: ErrorCode
  message: string
  details?: Record<string, unknown>
}

export class NashlabError extends Error implements ErrorShape {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'NashlabError'
    this.code = code
    this.details = details
  }

  toJSON(): ErrorShape {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) }
  }
}

/** Turn anything thrown into the wire shape; unknown errors become `internal`. */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof NashlabError) return error.toJSON()
  if (error instanceof Error) return { code: 'internal', message: error.message }
  return { code: 'internal', message: String(error) }
}

/** HTTP status for each error code (the web server's mapping, kept beside the codes). */
export const httpStatus: Record<ErrorCode, number> = {
  invalid_input: 400,
  bad_file: 400,
  not_found: 404,
  unknown_method: 404,
  conflict: 409,
  unauthorized: 401,
  schema_too_new: 409,
  unavailable: 503,
  cancelled: 499,
  internal: 500,
}
