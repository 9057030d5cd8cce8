#!/usr/bin/env python3
"""Fits STARTVM_GAS, STARTTILES_GAS and STARTTILEVM_GAS (cli/game/forcedMoves.ts) to the samples
scripts/calibrate-forced-moves.ts measured.

   python3 scripts/fit-forced-moves.py forced-moves-calibration.json [more.json ...]

For each move, a non-negative least-squares fit of its execution gas on the shape's features, then the smallest
margin that puts every sample under the bound, rounded up to the next 5 %. startVM and startTiles share their
features (startTiles' shape is startVM's with its own calldata); startTileVM's are the tile proof's and the window
proof's sibling counts. Prints the coefficients to paste and the bound / measured ratios. A move with no samples in
the files is skipped. Several files (runs of the calibration's phases apart, --phases=...) are read as one.
"""
import json, math, sys
import numpy as np
from scipy.optimize import nnls

MEM_DEPTH = 19
ENTRY_NAMES = ['base', 'perGraphInput', 'perInputWordsSlot', 'perSlotSibling', 'perSlotInput', 'perRegion', 'perNodeSibling',
               'perOutSibling', 'perSlotLevel', 'perComposeCall', 'perComposeScan', 'perByte', 'perQuadWord']
TILEVM_NAMES = ['base', 'perTileSibling', 'perWindowSibling']

def entry_features(s):
    mem = math.ceil((s['calldata'] + 32 * s['graphInputs']) / 32)
    return [1, s['graphInputs'], math.ceil(s['graphInputs'] / 8), s['slotInputs'] * s['slotDepth'], s['slotInputs'],
            s['regions'], s['nodeDepth'], s['outSiblings'], s['slotDepth'], s['composeCalls'], s['composeScans'],
            s['calldata'], mem * mem / 512]

def tilevm_features(s):
    return [1, s['tileDepth'], s['windowSiblings']]

def fit(label, const, samples, features, names, zoo_prefix):
    if not samples:
        print(f'{label}: no samples')
        return
    X = np.array([features(x['shape']) for x in samples], dtype=float)
    y = np.array([x['measured']['execution'] for x in samples], dtype=float)
    # Scale columns so NNLS is well conditioned.
    scale = X.max(axis=0)
    scale[scale == 0] = 1
    coef, _ = nnls(X / scale, y)
    coef = coef / scale
    # Round each coefficient up (a bound only grows).
    rounded = [math.ceil(c * 100) / 100 if c < 10 else math.ceil(c) for c in coef]
    fitted = X @ np.array(rounded)
    need = max(y / fitted) - 1
    margin = max(0.05, math.ceil((need + 0.05) * 20) / 20)
    bound = np.ceil(fitted * (1 + margin))
    ratios = bound / y
    print(f'{const} = {{')
    for n, c in zip(names, rounded):
        print(f'  {n}: {c},')
    print(f'  margin: {margin},')
    print('}')
    zoo = [i for i, x in enumerate(samples) if x['source'].startswith(zoo_prefix)]
    print(f'{label}: samples {len(y)}, zoo {len(zoo)}')
    print(f'fit residual: measured/fit from {min(y / fitted):.4f} to {max(y / fitted):.4f}')
    print(f'bound/measured from {ratios.min():.4f} to {ratios.max():.4f}')
    if zoo:
        print(f'zoo bound/measured from {ratios[zoo].min():.4f} to {ratios[zoo].max():.4f}')
    worst = [i for i, x in enumerate(samples) if x['source'].startswith('registrable worst')]
    for i in worst:
        print(f'{samples[i]["source"]}: measured {int(y[i])}, bound {int(bound[i])} ({ratios[i]:.4f})')
    print()

data = {'samples': [], 'tiles': [], 'tileVM': [], 'constants': {}, 'extrapolation': [], 'registrable': []}
for name in sys.argv[1:]:
    part = json.load(open(name))
    for key in ['samples', 'tiles', 'tileVM', 'extrapolation', 'registrable']:
        data[key] += part.get(key) or []
    for move, c in part.get('constants', {}).items():
        had = data['constants'].get(move)
        data['constants'][move] = c if had is None else {'count': had['count'] + c['count'], **{k: max(had[k], c[k]) for k in c if k != 'count'}}
fit('startVM', 'STARTVM_GAS', data.get('samples', []), entry_features, ENTRY_NAMES, ('mnist', 'tiny'))
fit('startTiles', 'STARTTILES_GAS', data.get('tiles', []), entry_features, ENTRY_NAMES, ('mnist', 'tiny'))
fit('startTileVM', 'STARTTILEVM_GAS', data.get('tileVM', []), tilevm_features, TILEVM_NAMES, ('mnist', 'tiny'))
print('extrapolation', json.dumps(data.get('extrapolation'), indent=1))
for r in data.get('registrable'):
    for move, v in r.items():
        if isinstance(v, dict):
            print(f"registrable worst {move}: measured {v['measured']['gasUsed']} gas (execution {v['measured']['execution']}), bound {v['bound']['gas']} (execution {v['bound']['execution']}), {v['measured']['calldata']} bytes")
print('constants', json.dumps(data['constants'], indent=1))
