/**
 * The adapter the GPU suite runs on, opened once per test file. Where none exists (no GPU, and no Mesa EGL/GLES
 * for Dawn's OpenGL ES backend) every GPU test is skipped with `SKIP_REASON`.
 */
import { afterAll } from 'vitest';
import { closeSharedGpu, sharedGpu, type GpuDevice } from '../../models/gpu/device.ts';

const opened = await sharedGpu();

/** The device, or undefined when the suite skips. */
export const gpu: GpuDevice | undefined = opened.ok ? opened.gpu : undefined;
export const NO_GPU = !opened.ok;
export const SKIP_REASON = opened.ok
  ? ''
  : `no WebGPU adapter (${opened.reason}: ${opened.attempts.join('; ')}); on Linux without a GPU install libegl1 libegl-mesa0 libgles2`;
if (NO_GPU) console.warn(`GPU tests skipped: ${SKIP_REASON}`);
else console.log(`GPU tests on ${gpu?.describe()}`);

/** The device, for tests that only run when it exists. */
export function device(): GpuDevice {
  if (!gpu) throw new Error(SKIP_REASON);
  return gpu;
}

afterAll(async () => {
  await closeSharedGpu();
});
