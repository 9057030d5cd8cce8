// ONNX front end: bytes → FloatGraph, and a small writer for models built in code.
export { loadOnnx, type LoadOptions } from './load.ts';
export { MAX_OPSET, MIN_OPSET } from './decode.ts';
export { writeOnnx, tensorProto, DEFAULT_OPSET } from './writer.ts';
export type { WriterAttr, WriterModel, WriterNode, WriterTensor, WriterValue } from './writer.ts';
export { isLoadableOp, unsupportedNodes, type UnsupportedNode } from './support.ts';
