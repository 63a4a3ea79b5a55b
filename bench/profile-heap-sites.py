#!/usr/bin/env python3
# A developer tool beside bench/profile-request-path.ts --heap-prof <file>: where a server allocates,
# bytes per call, by owner and by function (sampled; start-up included, so pass the calls made:
# the windows' calls plus 3000 warm-up calls per operation).
# Usage: python3 bench/profile-heap-sites.py <file.heapprofile> <calls> [top]
import json,sys,collections
p=json.load(open(sys.argv[1])); calls=int(sys.argv[2]); top=int(sys.argv[3]) if len(sys.argv)>3 else 40
self=collections.Counter(); owner=collections.Counter(); cat=collections.Counter()
def nm(cf): return f"{cf['functionName'] or '(anon)'} {'/'.join(cf['url'].split('/')[-2:])}:{cf['lineNumber']+1}"
def cls(cf):
    u=cf['url']
    if '/src/' in u and '/dist' in u: return 'ours'
    if '@grpc/grpc-js' in u: return 'grpc-js'
    if 'protobufjs' in u: return 'protobufjs'
    if u.startswith('node:') or u=='': return None
    return 'other'
def walk(n,stack):
    st=stack+[n['callFrame']]
    if n['selfSize']:
        self[nm(n['callFrame'])]+=n['selfSize']
        k=None;o=None
        for cf in reversed(st):
            k=cls(cf)
            if k: o=cf;break
        cat[k or 'node-only']+=n['selfSize']
        if k=='ours': owner[nm(o)]+=n['selfSize']
    for c in n.get('children',[]): walk(c,st)
sys.setrecursionlimit(100000)
walk(p['head'],[])
tot=sum(cat.values())
print(f"total {tot/calls/1024:.2f} KB/call (sampled, start-up included)")
for k,v in cat.most_common(): print(f"  {v/calls/1024:6.2f} KB {k}")
print("-- allocated by ours (incl. builtins they call)")
for k,v in owner.most_common(top): print(f"  {v/calls:7.0f} B {k}")
print("-- self")
for k,v in self.most_common(top): print(f"  {v/calls:7.0f} B {k}")
