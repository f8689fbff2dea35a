/**
 * The fields of an error that may reach a log line. A failed query carries its bound parameters
 * (`parameters`: password and token hashes, emails, addresses), PostgreSQL's `detail`
 * ("Key (email)=(…) already exists") and `where`, and TypeORM copies them onto its own error;
 * other libraries attach requests, headers or configuration. So the line takes what describes the
 * failure and nothing else, whatever the error object holds.
 */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'severity', 'routine', 'table', 'column', 'constraint'] as const;

/** How deep `cause` and `driverError` chains are followed. */
const MAX_DEPTH = 3;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  [field: string]: unknown;
}

/** pino's `err` serializer for the application's logger: see `KEPT_FIELDS`. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: typeof error === 'string' ? error : 'non-error value thrown' };
  }
  const out: SerializedError = { type: error.constructor?.name || error.name, message: error.message, stack: error.stack };
  const fields = error as unknown as Record<string, unknown>;
  for (const field of KEPT_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (depth < MAX_DEPTH) {
    // TypeORM's QueryFailedError repeats the driver's error; the driver's is the one with a cause.
    if (fields.driverError instanceof Error && fields.driverError !== error)
      out.driverError = serializeError(fields.driverError, depth + 1);
    if (error.cause !== undefined) out.cause = serializeError(error.cause, depth + 1);
  }
  return out;
}
