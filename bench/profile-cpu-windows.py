#!/usr/bin/env python3
# A developer tool beside bench/profile-request-path.ts: reads the V8 CPU profiles it wrote with
# --cpu-prof <dir> and, for the samples inside the measured windows only (windows.json: no start-up,
# no warm-up), prints each server's CPU per call by owner (our src/, grpc-js, protobufjs, Node alone,
# GC), the functions of ours with the builtins they call, and the top self times, in us per call.
# Usage: python3 bench/profile-cpu-windows.py <dir> [seq|64] [top]
# usage: win.py <profdir> [mode] [topN]: per side, µs per call by owner, samples inside the windows only
import json,sys,collections,glob,os
d=sys.argv[1]; mode=sys.argv[2] if len(sys.argv)>2 else None; top=int(sys.argv[3]) if len(sys.argv)>3 else 25
W=json.load(open(os.path.join(d,'windows.json')))
def cls(n):
    cf=n['callFrame']; u=cf['url']
    if '/src/' in u and '/dist' in u: return 'ours'
    if '/dist/bench/' in u: return 'bench-js'
    if '@grpc/grpc-js' in u: return 'grpc-js'
    if 'protobufjs' in u or 'proto-loader' in u: return 'protobufjs'
    if u.startswith('node:') or u=='': return None
    return 'other:'+u.split('node_modules/')[-1].split('/')[0]
for f in sorted(glob.glob(os.path.join(d,'*.cpuprofile'))):
    pid=int(os.path.basename(f).split('.')[3])
    ws=[w for w in W if w['pid']==pid and (mode is None or w['mode']==mode)]
    if not ws: continue
    calls=sum(w['calls'] for w in ws)
    p=json.load(open(f))
    nodes={n['id']:n for n in p['nodes']}
    parent={}
    for n in p['nodes']:
        for c in n.get('children',[]): parent[c]=n['id']
    t=p['startTime']; owner=collections.Counter(); fns=collections.Counter(); selfk=collections.Counter()
    for s,dt in zip(p['samples'],p['timeDeltas']):
        t+=dt
        if not any(w['startUs']<=t<w['endUs'] for w in ws): continue
        cf=nodes[s]['callFrame']; fn=cf['functionName']
        if fn=='(idle)': continue
        if fn in ('(garbage collector)','(program)'): owner[fn]+=dt; continue
        x=s;k=None
        while x is not None:
            k=cls(nodes[x])
            if k: break
            x=parent.get(x)
        k=k or 'node-only'; owner[k]+=dt
        if k=='ours':
            c2=nodes[x]['callFrame']; fns[f"{c2['functionName'] or '(anon)'} {'/'.join(c2['url'].split('/')[-2:])}:{c2['lineNumber']+1}"]+=dt
        selfk[f"{fn or '(anon)'} {'/'.join(cf['url'].split('/')[-2:])}:{cf['lineNumber']+1}"]+=dt
    print(f"{ws[0]['side']} pid {pid} mode {mode or 'all'}: {calls} calls, {sum(owner.values())/calls:.1f} µs/call in profile")
    for k,us in owner.most_common(): print(f"  {us/calls:6.2f} {k}")
    print("  -- ours (with builtins they call)")
    for k,us in fns.most_common(top): print(f"  {us/calls:6.2f} {k}")
    print("  -- self top")
    for k,us in selfk.most_common(top): print(f"  {us/calls:6.2f} {k}")
