# tango-grpc: one Tango device server per container (DESIGN §6; docs/docker.md).
#
#   docker build -t tango-grpc:local .
#   docker run --rm -p 50051:50051 -p 8080:8080 tango-grpc:local            # TangoTest sys/tg_test/1
#   docker run --rm -p 50051:50051 -p 8080:8080 \
#     -v "$PWD/deploy/powersupply/server.yaml:/etc/tango-grpc/server.yaml:ro" \
#     tango-grpc:local serve --config /etc/tango-grpc/server.yaml
#
# Ports: 50051 gRPC (TANGO_GRPC_PORT), 8080 HTTP sidecar (TANGO_HTTP_PORT: /healthz, /readyz,
# /metrics, REST under /api/v1). Both stages use the same base, so the node_modules the build
# stage compiles against are those the runtime installs.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
# The lockfile alone first, so that source edits reuse the npm ci layer. No dependency needs a
# compiler: the install scripts (esbuild, protobufjs) only check what they unpacked.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.ts ./scripts/bundle.ts
COPY proto ./proto
COPY src ./src
# The package as npm would publish it (package.json "files"; its prepack runs `npm run build`):
# the bundled program and entry points (dist/src/cli/tango-grpc.js, dist/src/lib/) with their
# source maps, and the .d.ts files; not tsc's per-file JavaScript.
RUN npm pack --silent --pack-destination /tmp \
    && mkdir /package \
    && tar -xzf /tmp/tango-grpc-*.tgz -C /package --strip-components=1

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to node (which then shuts down cleanly within the grace
# period, docs/configuration.md "Exit codes") and reaps zombies.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    TANGO_GRPC_PORT=50051 \
    TANGO_HTTP_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# /app/node_modules/tango-grpc is /app itself: a package of device classes copied under
# /app/node_modules/<name> (or any folder under /app) that does `import "tango-grpc"` gets this
# image's own files, the very modules the program runs, so the server sees its decorators.
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    && ln -sfn /app /app/node_modules/tango-grpc
# What runs, and nothing else: the package's files (the program, dist/src/cli/tango-grpc.js, and
# the entry points and chunks it shares with them, dist/src/lib/; the .d.ts files a derived image
# compiles against), the .proto files it loads at startup (found three levels up from
# dist/src/cli and dist/src/lib) and the health check. Owned by root, read-only to the server's
# user.
COPY proto ./proto
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
COPY --from=build /package/dist ./dist
# /data takes the property store when TANGO_STORE_PATH points there (e.g. /data/properties.json):
# mount a volume on it. /etc/tango-grpc is where a config file is mounted.
RUN mkdir -p /data /etc/tango-grpc \
    && chown 1000:1000 /data
# The base image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric
# USER, and a base image without that passwd entry still works.
USER 1000:1000
EXPOSE 50051 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
    CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/src/cli/tango-grpc.js"]
CMD ["serve"]
