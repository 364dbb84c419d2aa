export { encodeHello, decodeHello, makeHello, helloBootId, withHelloBootId, MIN_WINDOW, MAX_WINDOW, DEFAULT_WINDOW } from './hello.js';
export type { Hello, HostedVertex } from './hello.js';
export { encodePing, decodePing } from './ping.js';
export type { Coordinates } from './coordinates.js';
export {
  encodeBlockGetRequest,
  decodeBlockGetRequest,
  encodeBlockGetReply,
  decodeBlockGetReply,
  HASH_SIZE,
} from './blockGet.js';
export type { BlockGetRequest, BlockGetReply } from './blockGet.js';
export { encodeBlockSetRequest, decodeBlockSetRequest, encodeBlockSetReply, decodeBlockSetReply } from './blockSet.js';
export type { BlockSetRequest, BlockSetReply } from './blockSet.js';
export {
  encodeLlmQueryRequest,
  decodeLlmQueryRequest,
  encodeLlmQueryReply,
  decodeLlmQueryReply,
  MAX_LLM_TOKENS,
} from './llmQuery.js';
export type { LlmQueryRequest, LlmQueryReply } from './llmQuery.js';
export {
  encodeLlmTeachRequest,
  decodeLlmTeachRequest,
  encodeLlmTeachReply,
  decodeLlmTeachReply,
  MAX_TEACH_TEXT,
  MAX_TEACH_STEPS,
  DEFAULT_TEACH_STEPS,
} from './llmTeach.js';
export type { LlmTeachRequest, LlmTeachReply } from './llmTeach.js';
export {
  encodeCubeMsgRequest,
  decodeCubeMsgRequest,
  encodeCubeMsgReply,
  decodeCubeMsgReply,
  Vertex,
  CubeVertex,
  CUBE_VERTEX_NAMES,
  vertexByName,
  vertexName,
  isValidVertex,
} from './cubeMsg.js';
export type { CubeMsgRequest, CubeMsgReply, CubeVertexName } from './cubeMsg.js';
export {
  CHOICES_PREFIX,
  MAX_CHOICES,
  MAX_CHOICE_LENGTH,
  MIN_CHOICES,
  formatChoiceReply,
  formatChoiceText,
  isChoiceText,
  parseChoiceReply,
  parseChoiceText,
} from './cubeChoices.js';
export type { ChoiceReply, ChoiceRequest } from './cubeChoices.js';
export {
  encodeTensorOpRequest,
  decodeTensorOpRequest,
  encodeTensorOpReply,
  decodeTensorOpReply,
  TensorOperation,
  DType,
  MAX_TENSOR_RANK,
  MAX_TENSOR_PARAMS,
  tensorOperationArity,
  elementCount,
} from './tensorOp.js';
export type { Tensor, TensorOpRequest, TensorOpReply, TensorOpDecodeOptions } from './tensorOp.js';
export {
  encodeProgramRequest,
  decodeProgramRequest,
  encodeProgramReply,
  decodeProgramReply,
  normalizeProgramName,
  programNameProblem,
  ProgramOperation,
  MAX_PROGRAM_NAME,
  MAX_PROGRAM_TEXT,
  MAX_PROGRAM_SIZE,
  MAX_PROGRAM_READ,
  MAX_PROGRAMS,
} from './program.js';
export type { ProgramEntry, ProgramOperationName, ProgramOperationValue, ProgramReply, ProgramRequest } from './program.js';
export { encodeAgentsReply, decodeAgentsReply, MAX_AGENTS, MAX_AGENTS_REPLY, MAX_AGENT_LINE } from './agents.js';
export type { AgentStatus, AgentState } from './agents.js';
export { encodeErrorPayload, decodeErrorPayload, MAX_ERROR_MESSAGE } from './errorPayload.js';
export type { ErrorPayload } from './errorPayload.js';
export { PayloadReader } from './PayloadReader.js';
export { PayloadWriter } from './PayloadWriter.js';
