export { CodedError, describeError, isCodedError } from './CodedError.js';
export { ERROR_TABLE, errorRow, isKnownErrorCode } from './errorTable.js';
export type { ErrorKind, ErrorRow, KnownErrorCode } from './errorTable.js';
