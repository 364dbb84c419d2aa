export { type FemtoConfig, FEMTO_CONFIG, type FemtoParamName, femtoParamShapes, ngramBucket } from './FemtoConfig.js';
export { FemtoError, type FemtoErrorCode } from './FemtoError.js';
export { FemtoWeights } from './FemtoWeights.js';
export { FemtoEngine, type Personality, EMITTABLE } from './FemtoEngine.js';
export {
  FemtoLlm,
  FemtoLlmFactory,
  FemtoShared,
  KAPPA_TARGET,
  KAPPA_DRIFT,
  DEFAULT_MAX_TOKENS,
  MAX_TOKENS_LIMIT,
  PERSONALITY_SCALE,
  temperatureFor,
  driftKappa,
} from './FemtoLlm.js';
export { ensembleNextTokenProbabilities, ensembleRespond } from './ensemble.js';
export { baseWeights, baseWeightsReport, mergesFromBytes } from './baseWeights.js';
export { BpeTokenizer, forEachChunk, MAX_CHUNK } from './BpeTokenizer.js';
export { Lexicon } from './Lexicon.js';
export { WordGuard } from './WordGuard.js';
export { answerStats, answerWords, vocabularyOf, type AnswerStats } from './wordStats.js';
export { sampleAnswers, SAMPLE_PROMPTS, type SampledAnswer } from './answerSample.js';
export { FemtoParams, femtoLoss } from './FemtoGraph.js';
export { FemtoTrainer, type FemtoTrainOptions } from './FemtoTrainer.js';
export { NgramModel, MAX_KN_ORDER, KN_DISCOUNT } from './NgramModel.js';
export { renderLossChart, type Raster, type ChartSeries } from './LossChart.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export { encodeText, decodeText } from './text.js';
export { type FemtoLesson, LESSON_BYTES, LESSON_VERSION, encodeLesson, decodeLesson } from './FemtoLesson.js';
export { FemtoTeacher, MAX_TEACH_BYTES, MAX_TEACH_STEPS, DEFAULT_TEACH_STEPS, TEACH_BUDGET_MS, type TeachProgress } from './FemtoTeacher.js';
