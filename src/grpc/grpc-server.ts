import {
  Server, ServerCredentials, type ServerInterceptor, type ServiceDefinition, type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { closeHealthWatches, trackHealthWatches, type HealthWatch } from "./health-watches.js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { DEFAULT_MAX_PACKED_ARRAY_BYTES, FLOW_CONTROL_WINDOW_BYTES } from "../core/defaults.js";
import type { AccessPolicy, RequestApi } from "../server/index.js";
import { createDeviceService } from "./device-service.js";
import { createGrpcServerMetrics, type GrpcServerMetrics } from "./grpc-metrics.js";
import { DEVICE_SERVICE_NAME, loadTangoProto } from "./proto.js";
import { addLazyReflection } from "./lazy-reflection.js";
import { reflectionPackageDefinition } from "./reflection-descriptors.js";
import { raiseReceiveWindow } from "./server-flow-control.js";
import { ConnectionTracker, trackConnections } from "./connection-tracker.js";
import { H2GrpcServer } from "./h2/h2-grpc-server.js";
import { MemoryGuard } from "./memory-guard.js";
import { withRequestLimits } from "./request-decoding.js";
import { createGrpcServerCredentials, type GrpcTlsOptions } from "./tls-credentials.js";

/** Options of `startGrpcServer`. */
export interface GrpcServerOptions {
  /** The server's request API: every tango.v1.Device call goes to it. */
  readonly api: RequestApi;
  /** Address to listen on, e.g. `0.0.0.0`, `127.0.0.1` or `::`. */
  readonly host: string;
  /** TCP port; 0 lets the OS choose (see `GrpcServerHandle.port`). */
  readonly port: number;
  /** Largest message received or sent, in bytes (core `DEFAULT_MAX_MESSAGE_BYTES`, DESIGN §8). */
  readonly maxMessageBytes: number;
  /** Receives the errors that are not DevFailed (bugs); nothing else is logged per call. */
  readonly logger: Logger;
  /**
   * Which HTTP/2 server carries gRPC: `"http2"` (the default), our own framing over the socket
   * (h2/h2-grpc-server.ts), or `"grpc-js"`, grpc-js on node:http2.
   */
  readonly transport?: GrpcServerTransport;
  /** grpc-js server interceptors, outermost first; the grpc-js transport only. */
  readonly interceptors?: readonly ServerInterceptor[];
  /**
   * Where go-grpc-prometheus's `grpc_server_*` metrics go (see `createGrpcServerMetrics`); their
   * interceptor comes before `interceptors`, and every method served starts at zero. Omitted: no
   * metrics. A registry holds the metrics of one server.
   */
  readonly registry?: Registry;
  /**
   * Who may do what (the DeviceServer's `access`): tango.v1.Device calls are authenticated with it
   * (bearer token metadata, client certificate). Health and reflection stay open. Omitted: no
   * caller is identified, and the request API checks nothing.
   */
  readonly access?: AccessPolicy;
  /** TLS on this port (certificates reloaded as they change); omitted: plaintext. */
  readonly tls?: GrpcTlsOptions;
  /** Request limits (config `limits`); omitted keys take their defaults. */
  readonly limits?: GrpcRequestLimits;
}

/** The HTTP/2 server under gRPC (`GrpcServerOptions.transport`). */
export type GrpcServerTransport = "http2" | "grpc-js";

/** Limits on what one request may cost (config `limits`, docs/configuration.md). */
export interface GrpcRequestLimits {
  /** Budget of one request's packed arrays, as the bytes they decode into (core `DEFAULT_MAX_PACKED_ARRAY_BYTES`). */
  readonly maxPackedArrayBytes?: number;
  /** Memory (V8 heap + Buffers) not to pass by decoding a large request; omitted: no memory guard. */
  readonly maxHeapBytes?: number;
  /** Memory in use, bytes: for tests; defaults to process.memoryUsage() heapUsed + external. */
  readonly memoryInUse?: () => number;
}

/** A service name the health service reports on: the whole server (`""`) or tango.v1.Device. */
export type HealthServiceName = "" | typeof DEVICE_SERVICE_NAME;

/** A running gRPC server. */
export interface GrpcServerHandle {
  /** The bound port (the OS's choice when asked for 0). */
  readonly port: number;
  /**
   * Sets what `grpc.health.v1.Health` reports for a service (DESIGN §3): `""` is SERVING once the
   * server is up; `tango.v1.Device` starts NOT_SERVING and the caller sets it once every device is
   * exported, and clears it first thing at shutdown.
   */
  setServing(service: HealthServiceName, serving: boolean): void;
  /**
   * Stops the server: both health statuses go NOT_SERVING, health Watch streams end at once
   * (UNAVAILABLE), new calls are refused, running calls get up to `graceMs` to finish, then every
   * connection is cut. Resolves when done, to true when every call ended by itself and false when
   * some were cut; later calls return the same promise.
   */
  close(graceMs: number): Promise<boolean>;
}

/** How often the memory guard's receive limit follows the memory in use, at most. */
const RECEIVE_LIMIT_REFRESH_MS = 20;

function listenAddress(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts a gRPC server (`opts.transport`) with tango.v1.Device over `api`, `grpc.health.v1.Health`, and server
 * reflection (v1 and v1alpha) describing both. Message limits are set in both directions.
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServerHandle> {
  const proto = loadTangoProto();
  const metrics = opts.registry === undefined ? undefined : createGrpcServerMetrics(opts.registry);
  const transport = opts.transport ?? "http2";
  if (transport !== "grpc-js" && opts.interceptors !== undefined) throw new Error("grpc-js interceptors need transport \"grpc-js\"");
  // The memory guard (memory-guard.ts): after each request the receive limit follows the memory
  // headroom, and both servers read it for each new call and refuse a message from its length
  // prefix when over it, so an oversized request is refused before it is buffered.
  // test/grpc/request-limits.test.ts checks it on both.
  const maxHeapBytes = opts.limits?.maxHeapBytes;
  const guard = maxHeapBytes === undefined ? undefined
    : new MemoryGuard({ maxHeapBytes, maxMessageBytes: opts.maxMessageBytes, memoryInUse: opts.limits?.memoryInUse });
  const server = transport === "grpc-js" ? grpcJsBackend(opts, metrics) : h2Backend(opts, metrics);
  let refreshedAt = 0;
  const refreshReceiveLimit = guard === undefined ? undefined : (): void => {
    // At most every RECEIVE_LIMIT_REFRESH_MS: reading the memory in use is not free.
    const now = performance.now();
    if (now - refreshedAt < RECEIVE_LIMIT_REFRESH_MS) return;
    refreshedAt = now;
    server.setReceiveLimit(guard.receiveLimit());
  };
  refreshReceiveLimit?.();
  const deviceService = withRequestLimits(proto.deviceService, {
    maxPackedArrayBytes: opts.limits?.maxPackedArrayBytes ?? DEFAULT_MAX_PACKED_ARRAY_BYTES,
    guard,
    afterDecode: refreshReceiveLimit,
  });
  const health = new HealthImplementation({ "": "NOT_SERVING", [DEVICE_SERVICE_NAME]: "NOT_SERVING" });
  // Health and reflection add their own services; noting every definition lets metrics start
  // each served method at zero (go-grpc-prometheus's InitializeMetrics).
  const services: ServiceDefinition[] = [];
  const registrar: Pick<Server, "addService"> = {
    addService(service, implementation) {
      services.push(service);
      server.addService(service, implementation);
    },
  };
  registrar.addService(deviceService, createDeviceService(opts.api, opts.logger, opts.access, server.connections, opts.tls !== undefined) as unknown as UntypedServiceImplementation);
  // Watch streams never end by themselves: close() ends them, or they would hold the server.
  const watches = new Set<HealthWatch>();
  health.addToServer(trackHealthWatches(registrar, watches));
  addLazyReflection(registrar, () => reflectionPackageDefinition(proto.packageDefinition));
  metrics?.initialize(services);

  let port: number;
  try {
    port = await server.listen(opts.host, opts.port);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  health.setStatus("", "SERVING");

  let closing: Promise<boolean> | undefined;
  return {
    port,
    setServing(service, serving) {
      if (closing === undefined) health.setStatus(service, serving ? "SERVING" : "NOT_SERVING");
    },
    close(graceMs) {
      closing ??= new Promise<boolean>((resolve) => {
        health.setStatus(DEVICE_SERVICE_NAME, "NOT_SERVING");
        health.setStatus("", "NOT_SERVING");
        closeHealthWatches(watches);
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve(false);
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      return closing;
    },
  };
}

/** What startGrpcServer needs of the server under it, whichever the transport. */
interface Backend {
  /** Its client connections: a lock ends when its owner's connection closes (docs/locking.md). */
  readonly connections: ConnectionTracker | undefined;
  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void;
  setReceiveLimit(bytes: number): void;
  listen(host: string, port: number): Promise<number>;
  tryShutdown(onDone: () => void): void;
  forceShutdown(): void;
}

/** Our own HTTP/2 server (h2/h2-grpc-server.ts). */
function h2Backend(opts: GrpcServerOptions, metrics: GrpcServerMetrics | undefined): Backend {
  const connections = new ConnectionTracker();
  const server = new H2GrpcServer({
    maxReceiveMessageBytes: opts.maxMessageBytes,
    maxSendMessageBytes: opts.maxMessageBytes,
    windowBytes: FLOW_CONTROL_WINDOW_BYTES,
    ...(metrics === undefined ? {} : { recordOf: metrics.recordOf }),
    onConnection: (peer) => connections.open(peer),
    ...(opts.tls === undefined ? {} : { tls: opts.tls }),
  });
  return {
    connections,
    addService: (service, implementation) => server.addService(service, implementation),
    setReceiveLimit: (bytes) => { server.maxReceiveMessageBytes = bytes; },
    listen: (host, port) => server.listen(host, port),
    tryShutdown: (onDone) => server.tryShutdown(onDone),
    forceShutdown: () => server.forceShutdown(),
  };
}

/** grpc-js on node:http2. */
function grpcJsBackend(opts: GrpcServerOptions, metrics: GrpcServerMetrics | undefined): Backend {
  const serverOptions = {
    "grpc.max_receive_message_length": opts.maxMessageBytes,
    "grpc.max_send_message_length": opts.maxMessageBytes,
    // channelz keeps per-call counters and timestamps for a channelz service we do not serve.
    "grpc.enable_channelz": 0,
    // grpc-js wraps each interceptor around the ones before it, so the first sits next to the
    // transport: metrics there see every status, including those other interceptors send.
    interceptors: [...(metrics === undefined ? [] : [metrics.interceptor]), ...(opts.interceptors ?? [])],
  };
  const server = new Server(serverOptions);
  if (!raiseReceiveWindow(server, FLOW_CONTROL_WINDOW_BYTES)) {
    opts.logger.warn({ windowBytes: FLOW_CONTROL_WINDOW_BYTES }, "cannot raise the HTTP/2 receive window of this grpc-js: large requests will be slow");
  }
  const connections = trackConnections(server);
  if (connections === undefined) opts.logger.warn("cannot follow the connections of this grpc-js: a lock will not end when its owner's connection closes");
  return {
    connections,
    addService: (service, implementation) => server.addService(service, implementation),
    // grpc-js 1.14 reads the receive limit from this very options object for each new call.
    setReceiveLimit: (bytes) => { serverOptions["grpc.max_receive_message_length"] = bytes; },
    listen: (host, port) => new Promise<number>((resolve, reject) => {
      const credentials = opts.tls === undefined ? ServerCredentials.createInsecure() : createGrpcServerCredentials(opts.tls);
      server.bindAsync(listenAddress(host, port), credentials, (err, bound) => {
        if (err === null) resolve(bound);
        else reject(err);
      });
    }),
    tryShutdown: (onDone) => server.tryShutdown(() => onDone()),
    forceShutdown: () => server.forceShutdown(),
  };
}
