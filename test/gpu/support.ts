/**
 * The adapter the GPU suite runs on, opened once per test file. Where none exists (no GPU, and no Mesa EGL/GLES
 * for Dawn's OpenGL ES backend): in CI (`CI=true`) every GPU test file fails loudly, since a silently skipped
 * differential suite proves nothing; elsewhere every GPU test is skipped with `SKIP_REASON` and a warning.
 */
import { afterAll } from 'vitest';
import { closeSharedGpu, sharedGpu, type GpuDevice } from '../../models/gpu/device.ts';

const opened = await sharedGpu();

/** The device, or undefined when the suite skips. */
export const gpu: GpuDevice | undefined = opened.ok ? opened.gpu : undefined;
export const NO_GPU = !opened.ok;
export const SKIP_REASON = opened.ok
  ? ''
  : `no WebGPU adapter (${opened.reason}: ${opened.attempts.join('; ')}); on Linux without a GPU install libegl1 libegl-mesa0 libgles2 and set EGL_PLATFORM=surfaceless`;
if (NO_GPU && process.env.CI === 'true') {
  throw new Error(
    `CI=true and the GPU suite cannot run: ${SKIP_REASON}.\n` +
      '  fix: apt-get install -y --no-install-recommends libegl1 libegl-mesa0 libgles2 (.ci/run does it) and export EGL_PLATFORM=surfaceless',
  );
}
if (NO_GPU) console.warn(`GPU tests skipped (in CI, CI=true, this is an error): ${SKIP_REASON}`);
else console.log(`GPU tests on ${gpu?.describe()}`);

/** The device, for tests that only run when it exists. */
export function device(): GpuDevice {
  if (!gpu) throw new Error(SKIP_REASON);
  return gpu;
}

afterAll(async () => {
  await closeSharedGpu();
});
