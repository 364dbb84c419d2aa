export { EvgpuError, type EvgpuErrorCode } from './EvgpuError.js';
export { type Shape, broadcastShapes, contiguousStrides, sizeOf } from './Shape.js';
export { Tensor } from './Tensor.js';
export { Random, hashSeed } from './Random.js';
export { matmul, planMatmul, type MatmulPlan } from './kernels/matmul.js';
export { matmulRows, matmulRowsJs, useSimdFor } from './kernels/matmulKernel.js';
export { WasmGemm } from './wasm/WasmGemm.js';
export { gemmModuleBytes } from './wasm/gemmWasm.js';
export { vecmatModuleBytes } from './wasm/vecmatWasm.js';
export { VecMatArena } from './wasm/VecMatArena.js';
export { binary, sumToShape, scale, type BinaryOp } from './kernels/elementwise.js';
export { activate, softmax, type Activation } from './kernels/activations.js';
export { conv2d, conv2dBackward, planConv2d, type Conv2dGeometry } from './kernels/conv2d.js';
export { pool2d, pool2dBackward, planPool2d, type PoolKind, type PoolResult } from './kernels/pool2d.js';
export { QuantizedMatrix, quantizeRows, dequantize, qmatmul, matmulInt8 } from './Quantized.js';
export { Var } from './autodiff/Var.js';
export { Tape } from './autodiff/Tape.js';
export { Adam, type AdamOptions } from './autodiff/Adam.js';
export {
  TensorOpCode,
  DEFAULT_TENSOR_OP_LIMITS,
  type TensorOpLimits,
  isTensorOpCode,
  tensorOpArity,
  type TensorOpCall,
  type OpArity,
  validateTensorOp,
  checkInputShape,
  executeTensorOp,
} from './TensorOp.js';
export { type ComputePool, type MatmulTask, InlineComputePool, runMatmulTask } from './ComputePool.js';
export { ParallelMatmul, type ParallelMatmulOptions } from './ParallelMatmul.js';
