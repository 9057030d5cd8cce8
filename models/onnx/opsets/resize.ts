// Upsample (opsets 7–9; scales an attribute in 7–8, an input in 9) and Resize 10–12 as the latest Resize.
// Upsample and Resize-10 compute source coordinates as x_out / scale (asymmetric); onnxruntime's "simple"
// nearest mode floors them on axes scaled up and ceils them on axes scaled down (Resize-10 only: Upsample
// requires scales >= 1), so nearest becomes nearest_mode floor or ceil; an axis scaled up next to one scaled
// down has no latest-opset equivalent and is refused. Linear modes interpolate the same coordinates.

import { checkDims } from '../tensors.ts';
import { floatInput, passAttrs } from './common.ts';
import type { Adapter, AdapterContext } from './types.ts';

function fromUpsample(ctx: AdapterContext, scales: string) {
  const mode = ctx.attrs.string('mode', 'nearest');
  const modes: Record<string, string> = { nearest: 'nearest', linear: 'linear', bilinear: 'linear' };
  if (!modes[mode]) ctx.unsupported(`mode "${mode}" is not supported`, 'use nearest or linear');
  const values = [...(ctx.constant(scales)?.data ?? [])];
  const dims = ctx.info(ctx.inputs[0]).dims;
  if (values.length !== dims.length || values.some((v) => !(v > 0))) {
    ctx.fail(`scales [${values.join(', ')}] must hold ${dims.length} positive values (one per axis)`);
  }
  checkDims(`${ctx.subject} output`, dims.map((d, i) => Math.floor(d * values[i])));
  const down = values.some((v) => v < 1);
  if (modes[mode] === 'nearest' && down && values.some((v) => v > 1)) {
    ctx.unsupported(`nearest with scales [${values.join(', ')}] (up on one axis, down on another) is not supported`, 'resize in two steps, or export with opset 11 or later');
  }
  const attrs = {
    ...passAttrs(ctx, 'mode', 'scales'),
    mode: { string: modes[mode] },
    coordinate_transformation_mode: { string: 'asymmetric' },
    ...(modes[mode] === 'nearest' ? { nearest_mode: { string: down ? 'ceil' : 'floor' } } : {}),
  };
  return [{ op: 'Resize', name: ctx.name, inputs: [ctx.inputs[0], '', scales], outputs: [...ctx.outputs], attrs }];
}

function scalesInput(ctx: AdapterContext): string {
  const name = ctx.inputs[1];
  if (!name) ctx.fail('input 1 (scales) is missing', 'the file is corrupt');
  if (!ctx.constant(name)) ctx.unsupported(`input 1 (scales) "${name}" is computed at run time; opml needs static shapes`, 'export with constant scales');
  return name;
}

const upsample: Adapter = {
  before: 26,
  adapt: (ctx: AdapterContext) => {
    if (ctx.opset < 9) {
      const scales = ctx.attrs.floats('scales');
      if (!scales) ctx.fail('attribute scales is required', 'the file is corrupt');
      return fromUpsample(ctx, floatInput(ctx, 'scales', scales, [scales.length]));
    }
    return fromUpsample(ctx, scalesInput(ctx));
  },
};

/** An input given as an empty tensor (how opsets 11–12 mark "absent") becomes ''. */
function present(ctx: AdapterContext, i: number): string {
  const name = ctx.inputs[i] ?? '';
  const t = name ? ctx.constant(name) : undefined;
  return t && t.data.length === 0 ? '' : name;
}

const resize: Adapter = {
  before: 13,
  adapt: (ctx: AdapterContext) => {
    if (ctx.opset < 11) return fromUpsample(ctx, scalesInput(ctx));
    if (ctx.attrs.string('coordinate_transformation_mode', 'half_pixel') === 'tf_half_pixel_for_nn') {
      ctx.unsupported('coordinate_transformation_mode "tf_half_pixel_for_nn" is not supported', 'export with opset 13 or later');
    }
    const inputs = [ctx.inputs[0], present(ctx, 1), present(ctx, 2), present(ctx, 3)];
    while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
    return [{ op: 'Resize', name: ctx.name, inputs, outputs: [...ctx.outputs], attrs: passAttrs(ctx) }];
  },
};

export const RESIZE_ADAPTERS: Record<string, Adapter> = { Upsample: upsample, Resize: resize };
