// Attribute values that became inputs: Clip min/max (11), Pad pads/value (11).

import { floatInput, intsInput, latest, passAttrs } from './common.ts';
import type { Adapter, AdapterContext } from './types.ts';

/** Drops trailing absent inputs. */
function trim(inputs: string[]): string[] {
  while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
  return inputs;
}

const clip: Adapter = {
  before: 11,
  adapt: (ctx: AdapterContext) => {
    const min = ctx.attrs.has('min') ? floatInput(ctx, 'min', [ctx.attrs.float('min', 0)]) : '';
    const max = ctx.attrs.has('max') ? floatInput(ctx, 'max', [ctx.attrs.float('max', 0)]) : '';
    return [latest(ctx, trim([ctx.inputs[0], min, max]), passAttrs(ctx, 'min', 'max'))];
  },
};

const pad: Adapter = {
  before: 11,
  adapt: (ctx: AdapterContext) => {
    const pads = ctx.attrs.ints('pads');
    if (!pads) ctx.fail('attribute pads is required', 'the file is corrupt');
    const value = ctx.attrs.float('value', 0);
    const inputs = [ctx.inputs[0], intsInput(ctx, 'pads', pads)];
    if (value !== 0) inputs.push(floatInput(ctx, 'value', [value]));
    return [latest(ctx, inputs, passAttrs(ctx, 'pads', 'value'))];
  },
};

export const VALUE_ADAPTERS: Record<string, Adapter> = { Clip: clip, Pad: pad };
