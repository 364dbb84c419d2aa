export type { Line } from './Line.js';
export type { Disposable } from './Disposable.js';
export {
  Opcode,
  Flag,
  ErrorCode,
  PROTOCOL_VERSION,
  HEADER_SIZE,
  CRC_SIZE,
  MAX_CONTENT,
  MAX_PAYLOAD,
  MAX_FRAGMENTS,
  MAX_MESSAGE,
  MIN_CONTENT,
  FLAG_BYTE,
  ESCAPE_BYTE,
  opcodeName,
  isKnownOpcode,
} from './constants.js';
export type { OpcodeName, OpcodeValue, ErrorCodeName } from './constants.js';
export type { Frame } from './Frame.js';
export type { Message } from './Message.js';
export { crc16 } from './crc16.js';
export { encodeFrame, encodeContent } from './encodeFrame.js';
export { FrameDecoder, FRAME_ERROR_CODES } from './FrameDecoder.js';
export type { FrameErrorCode, FrameErrorEvent, FrameListener, FrameDecoderStats } from './FrameDecoder.js';
export { ProtocolError, errorCodeName, toWireCode } from './ProtocolError.js';
export { CodedError, describeError, isCodedError, ERROR_TABLE, errorRow, isKnownErrorCode } from './errors/index.js';
export type { ErrorKind, ErrorRow, KnownErrorCode } from './errors/index.js';
export type { ProtocolErrorCode, LocalErrorCode } from './ProtocolError.js';
export { Fragmenter } from './Fragmenter.js';
export { Reassembler } from './Reassembler.js';
export type { ReassemblerOptions, ReassemblyResult } from './Reassembler.js';
// The payload codecs' public surface is payloads/index.ts; this barrel adds nothing to it.
export * from './payloads/index.js';
export { seqCompare, seqNext, SEQ_MODULO, MAX_SEQ_SPAN } from './serial.js';
export { realClock } from './Clock.js';
export type { Clock } from './Clock.js';
export { createLinePair } from './MemoryLine.js';
export { LINE_PROFILES, lineProfile, isLineProfileName, bytesPerSecond } from './LineProfile.js';
export type { LineProfile, LineDirection, LineProfileName } from './LineProfile.js';
export { PacedLine } from './PacedLine.js';
export { RtoEstimator } from './RtoEstimator.js';
export { ReplyCache } from './ReplyCache.js';
export type { CacheLookup } from './ReplyCache.js';
export { ReplyCacheRegistry } from './ReplyCacheRegistry.js';
export type { ReplyCacheRegistryOptions } from './ReplyCacheRegistry.js';
export { Session, emptySessionStats } from './Session.js';
export type {
  SessionOptions,
  RequestOptions,
  Reply,
  IncomingRequest,
  RequestHandler,
  SessionStats,
  SessionFootprint,
  SessionEvent,
  AdmissionPolicy,
} from './Session.js';
export { SessionSender } from './SessionSender.js';
export type { SessionSenderOptions } from './SessionSender.js';
export { SessionResponder } from './SessionResponder.js';
export type { SessionResponderOptions } from './SessionResponder.js';
export type { SessionPort } from './SessionPort.js';
