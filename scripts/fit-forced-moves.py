#!/usr/bin/env python3
"""Fits STARTVM_GAS (cli/game/forcedMoves.ts) to the samples scripts/calibrate-forced-moves.ts measured.

   python3 scripts/fit-forced-moves.py forced-moves-calibration.json

A non-negative least-squares fit of startVM's execution gas on the shape's features, then the smallest margin
that puts every sample under the bound, rounded up to the next 5 %. Prints the coefficients to paste and the
bound / measured ratios.
"""
import json, math, sys
import numpy as np
from scipy.optimize import nnls

MEM_DEPTH = 19
NAMES = ['base', 'perGraphInput', 'perInputWordsSlot', 'perSlotSibling', 'perSlotInput', 'perRegion', 'perNodeSibling',
         'perOutSibling', 'perSlotLevel', 'perComposeCall', 'perComposeScan', 'perByte', 'perQuadWord']

def features(s):
    mem = math.ceil((s['calldata'] + 32 * s['graphInputs']) / 32)
    return [1, s['graphInputs'], math.ceil(s['graphInputs'] / 8), s['slotInputs'] * s['slotDepth'], s['slotInputs'],
            s['regions'], s['nodeDepth'], s['outSiblings'], s['slotDepth'], s['composeCalls'], s['composeScans'],
            s['calldata'], mem * mem / 512]

data = json.load(open(sys.argv[1]))
samples = [x for x in data['samples']]
X = np.array([features(x['shape']) for x in samples], dtype=float)
y = np.array([x['measured']['execution'] for x in samples], dtype=float)
# Scale columns so NNLS is well conditioned.
scale = X.max(axis=0)
coef, _ = nnls(X / scale, y)
coef = coef / scale
# Round each coefficient up (a bound only grows).
rounded = [math.ceil(c * 100) / 100 if c < 10 else math.ceil(c) for c in coef]
fit = X @ np.array(rounded)
need = max(y / fit) - 1
margin = max(0.05, math.ceil((need + 0.05) * 20) / 20)
bound = np.ceil(fit * (1 + margin))
ratios = bound / y
print('STARTVM_GAS = {')
for n, c in zip(NAMES, rounded):
    print(f'  {n}: {c},')
print(f'  margin: {margin},')
print('}')
print(f'samples {len(y)}, zoo {sum(1 for x in samples if not x["source"].startswith("synthetic"))}')
print(f'fit residual: measured/fit from {min(y / fit):.4f} to {max(y / fit):.4f}')
print(f'bound/measured from {ratios.min():.4f} to {ratios.max():.4f}')
zoo = [i for i, x in enumerate(samples) if not x['source'].startswith('synthetic')]
print(f'zoo bound/measured from {ratios[zoo].min():.4f} to {ratios[zoo].max():.4f}')
print('extrapolation', json.dumps(data.get('extrapolation'), indent=1))
print('constants', json.dumps(data['constants'], indent=1))
