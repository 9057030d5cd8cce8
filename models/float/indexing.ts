// Index maps for the reference kernels: for every element of an output, the flat index of the input
// element it reads (broadcasting, transposes, reductions). They live with the shape arithmetic.
export { broadcastIndex, broadcastStrides, strideIndex } from '../shape.ts';
