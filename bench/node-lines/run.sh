#!/usr/bin/env bash
# Which Node.js line serves fastest? Sequential DeviceProxy command_inout calls/s, server and
# client on the same node binary, server on CPU 0 and client on CPU 1, PAIRS fresh server/client
# pairs per binary, the binaries interleaved. Needs `npm run build` first.
#   bench/node-lines/run.sh /usr/bin/node /path/to/node22 /path/to/node24   (PAIRS=8 by default)
# A binary per line: `npm install --prefix /tmp/node24 node@24` puts one in
# /tmp/node24/node_modules/node/bin/node. Prints "<version> <calls/s>" lines, then the medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
PAIRS=${PAIRS:-8}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq 1 "$PAIRS"); do
  for node in "$@"; do
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    TANGO_GRPC_HOST=127.0.0.1 TANGO_GRPC_PORT=$port TANGO_HTTP_HOST=127.0.0.1 TANGO_HTTP_PORT=0 TANGO_LOG_LEVEL=warn \
      taskset -c 0 "$node" dist/src/cli/tango-grpc.js serve >/dev/null 2>&1 &
    server=$!
    sleep 1.5
    rate=$(timeout 60 taskset -c 1 "$node" bench/node-lines/client.mjs "$port" || echo 0)
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "$("$node" --version) $rate" | tee -a "$out"
  done
done
echo "medians over $PAIRS pairs:"
sort -k1,1 -k2,2n "$out" | awk '{v[$1]=v[$1]" "$2; n[$1]++} END {for (k in v) {split(substr(v[k],2),a," "); m=(n[k]%2)?a[(n[k]+1)/2]:(a[n[k]/2]+a[n[k]/2+1])/2; print k, m, "(" a[1] "-" a[n[k]] ")"}}'
