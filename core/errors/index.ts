export { CoreError, isCoreError } from './CoreError.js';
export type { CoreErrorCode } from './CoreError.js';
export { requireFinite, requireIntegerIn, requireTimestamp } from './validate.js';
