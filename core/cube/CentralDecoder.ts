import { ensembleRespond } from '../femto/ensemble.js';
import type { LlmNode } from '../llm/LlmNode.js';

/**
 * How CENTRAL writes its own answer (processVertex on CENTRAL, CUBE_MSG to vertex 8, and its
 * replies in a trace): from its own model, or from the eight corners together. Works on LlmNode
 * only, so any model fits; moves CENTRAL's κ like one request.
 */
export type CentralDecoder = (central: LlmNode, corners: readonly LlmNode[], prompt: string, maxTokens: number | undefined) => string;

/**
 * Ensemble decoding: each token is drawn from the κ-weighted average of the eight corners'
 * next-token distributions (see ensembleRespond in core/femto/ensemble.ts). The default.
 */
export const ensembleCentral: CentralDecoder = (central, corners, prompt, maxTokens) => ensembleRespond(central, corners, prompt, maxTokens);

/** CENTRAL answers with its own model, like any vertex. */
export const ownCentral: CentralDecoder = (central, _corners, prompt, maxTokens) => central.respond(prompt, maxTokens);
