export { CoreError, isCoreError } from './CoreError.js';
export type { CoreErrorCode } from './CoreError.js';
export { canonicalValue, requireIntegerIn, requireTimestamp } from './validate.js';
