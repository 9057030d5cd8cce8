/**
 * Adapter selection (models/gpu/device.ts): the adapter is reported, a process that used the GPU exits by
 * itself after destroy, and a machine where no backend works gets "no adapter" (the caller's cue to fall back
 * to the CPU) instead of an exception.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeAdapter, openGpu } from '../../models/gpu/device.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const fixture = fileURLToPath(new URL('./fixtures/open.ts', import.meta.url));

function child(env: Record<string, string | undefined>): { status: number | null; out: { ok: boolean; reason?: string; describe?: string; states?: number } } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 }); // a hang is killed: status null, not 0
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`child printed no result (status ${r.status}, signal ${r.signal}): ${r.stdout}\n${r.stderr}`);
  return { status: r.status, out: JSON.parse(line) };
}

describe('GPU adapter selection', () => {
  it('openGpu never throws and always says what it found', async () => {
    const r = await openGpu({ prefer: 'hardware' });
    if (r.ok) {
      expect(r.gpu.adapter.software).toBe(false);
      r.gpu.destroy();
    } else {
      expect(r.reason).toMatch(/hardware/);
      expect(r.attempts.length).toBeGreaterThan(0);
    }
  });

  it('without any working backend: "no adapter", no exception', () => {
    // EGL cannot initialize an unknown platform, and a fresh process has no other adapter on a GPU-less machine.
    const { status, out } = child({ EGL_PLATFORM: 'no-such-platform' });
    expect(status).toBe(0);
    if (!out.ok) expect(out.reason).toBe('no adapter');
  });
});

describe.skipIf(NO_GPU)(`GPU device${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  it('reports the adapter it got (backend, feature level, names)', () => {
    const a = device().adapter;
    expect(['default', 'opengles']).toContain(a.backend);
    expect(a.featureLevel).toBe(a.backend === 'opengles' ? 'compatibility' : 'core');
    expect(describeAdapter(a)).toContain(`${a.backend} backend`);
    expect(`${a.vendor}${a.architecture}${a.device}${a.description}`.length).toBeGreaterThan(0);
    expect(device().limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(6);
  });

  it('a process that ran a graph on the GPU exits by itself after destroy()', () => {
    const { status, out } = child({});
    expect(out.ok).toBe(true);
    expect(out.states).toBe(4);
    expect(status).toBe(0); // it exited by itself: a process kept alive by the GPU would be killed at the timeout
  });
});
