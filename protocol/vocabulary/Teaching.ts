/**
 * The bounds of teaching a FemtoLLM: a vocabulary both floors speak, like CubeVertex. The wire's
 * LLM_TEACH payload (payloads/llmTeach.ts) checks them on every request, the core (the teacher and
 * the orchestrator) on every call from any API, so they live here, below both, and neither the
 * core nor the bridge reads them out of a payload module.
 */
/** Longest text one teaching takes, in UTF-8 bytes (4 KiB). */
export const MAX_TEACH_TEXT = 4096;
/** Most optimiser steps a request may ask for (the time budget may stop sooner). */
export const MAX_TEACH_STEPS = 1000;
/** Steps when a request names none (0 on the wire). */
export const DEFAULT_TEACH_STEPS = 100;
