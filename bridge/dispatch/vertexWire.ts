import { CubeVertex } from '../../protocol/payloads/cubeMsg.js';
import { Vertex } from '../../core/cube/Vertex.js';

/**
 * The wire's CUBE_MSG vertex numbers (protocol/payloads/cubeMsg.ts) and the core's vertices
 * (core/cube/Vertex.ts) are one numbering owned twice by design: protocol/ may not import
 * core/, and the core does not depend on the wire. Each assignment below fails to compile when
 * one table gains, loses or renumbers a vertex the other does not, so the dispatcher can pass a
 * decoded vertex byte to the core unchanged.
 */
const wireFromCore: typeof CubeVertex = Vertex;
const coreFromWire: typeof Vertex = CubeVertex;
void wireFromCore;
void coreFromWire;
