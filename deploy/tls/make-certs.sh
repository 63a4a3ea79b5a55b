#!/usr/bin/env bash
# Makes demo certificates for deploy/tls/compose.yaml (docs/tls.md) with openssl 3, in ./certs:
#   ca.crt, ca.key          a CA (keep ca.key away from the servers)
#   server.crt, server.key  the server, for DNS:localhost, DNS:tangotest and IP:127.0.0.1
#   client.crt, client.key  a client (CN given as the first argument, default "operator")
# Usage: deploy/tls/make-certs.sh [client-cn]       (again: makes new server and client certs
# from the same CA; a running server picks the new server certificate up by itself)
# Demo material: the keys are made readable by the container's user. In production, use your
# PKI or cert-manager (docs/helm.md).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p certs
cd certs
CLIENT_CN="${1:-operator}"
DAYS=90
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)

if [[ ! -f ca.crt ]]; then
  openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=tango-grpc demo CA" -keyout ca.key -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

issue() { # name cn extensions
  openssl req "${ec[@]}" -subj "/CN=$2" -keyout "$1.key.new" -out "$1.csr" 2>/dev/null
  printf '%b' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" -extfile "$1.ext" -out "$1.crt.new" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
  chmod 644 "$1.key.new" "$1.crt.new"
  # The key first, then the certificate: the server takes a pair only once both are stable.
  mv "$1.key.new" "$1.key"
  mv "$1.crt.new" "$1.crt"
}

issue server "tangotest" "subjectAltName=DNS:localhost,DNS:tangotest,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
issue client "$CLIENT_CN" "extendedKeyUsage=clientAuth\n"
echo "made $(pwd)/{ca,server,client}.crt; the client is CN=$CLIENT_CN"
