import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { status, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { TlsFileWatcher, TlsMaterial } from "../../server/index.js";
import { encodeHeaderBlock, type HeaderList } from "../../http2/hpack.js";
import type { MethodRecord } from "../grpc-method-record.js";
import { ServerCall, type CallHost, type ServedMethod } from "./server-call.js";
import { ServerSession, type ServerStream } from "./server-session.js";
import { statusBlockOf } from "./status-blocks.js";

/** TLS on the port: the watched material, and whether a client must present a verified certificate. */
export interface H2TlsOptions {
  readonly files: TlsFileWatcher;
  readonly requireClientCert: boolean;
}

/** Options of an H2GrpcServer. */
export interface H2GrpcServerOptions {
  /** Largest message received, bytes; read for each new call, so it may change (the memory guard). */
  readonly maxReceiveMessageBytes: number;
  /** Largest message sent, bytes. */
  readonly maxSendMessageBytes: number;
  /** Our HTTP/2 receive window, per stream and per connection, bytes. */
  readonly windowBytes: number;
  /** Streams one connection may have open at once. */
  readonly maxConcurrentStreams?: number;
  /** Largest request header list, bytes. */
  readonly maxHeaderListBytes?: number;
  /** Where each method's calls are counted (go-grpc-prometheus's metrics); omitted: not counted. */
  readonly recordOf?: (path: string, requestStream: boolean, responseStream: boolean) => MethodRecord;
  /** A client connected: returns what to call when its connection closes. */
  readonly onConnection?: (peer: string) => () => void;
  /** TLS, with certificates reloaded as the files change; omitted: plaintext. */
  readonly tls?: H2TlsOptions;
}

/**
 * Streams one connection may have open at once. grpc-js leaves them unbounded; a bound keeps one
 * peer from holding unlimited calls, and this one is far above what a client needs: every event
 * subscription of a client holds one stream for as long as it lasts (an archiver may hold
 * thousands), and calls beyond the bound wait in the client's queue.
 */
const DEFAULT_MAX_CONCURRENT_STREAMS = 65_536;
/** node:http2's default SETTINGS_MAX_HEADER_LIST_SIZE, which grpc-js's server keeps. */
const DEFAULT_MAX_HEADER_LIST_BYTES = 64 * 1024;

/** grpc-timeout's units (gRPC over HTTP/2, "Timeout"), in ms. */
const TIMEOUT_UNITS_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };
const TIMEOUT = /^(\d{1,8})([HMSmun])$/;

/** The last grpc-timeout read, and its value: a client sends the same one call after call. */
let lastTimeout = { header: "", ms: Infinity };

/** A grpc-timeout header in ms; Infinity when absent or malformed (grpc-js ignores a malformed one too). */
function timeoutMsOf(header: string | undefined): number {
  if (header === undefined) return Infinity;
  if (header === lastTimeout.header) return lastTimeout.ms;
  const match = TIMEOUT.exec(header);
  const ms = match === null ? Infinity : Number(match[1]) * TIMEOUT_UNITS_MS[match[2]!]!;
  lastTimeout = { header, ms };
  return ms;
}

function secureOptionsOf(material: TlsMaterial, files: TlsFileWatcher): { cert: Buffer; key: Buffer; ca?: Buffer } {
  return { cert: material.cert, key: material.key, ...(files.hasClientCa && material.ca !== undefined ? { ca: material.ca } : {}) };
}

/**
 * A gRPC server over HTTP/2 framed here (server-session.ts) instead of grpc-js on node:http2:
 * the same services and handlers (grpc-js's `ServiceDefinition` and handler shapes, so
 * grpc-health-check and @grpc/reflection are added as to grpc-js), at a fraction of the cost
 * per call. It serves unary, server-streaming, client-streaming and bidirectional methods;
 * deadlines (`grpc-timeout`), cancellation, metadata both ways, status details in trailers,
 * message size limits both ways, TLS with ALPN `h2`, client certificates and certificate
 * reloads, and a graceful shutdown (GOAWAY, calls in flight finish). Messages are not
 * compressed: a request naming a `grpc-encoding` other than identity is refused UNIMPLEMENTED.
 *
 * @internal Used by `startGrpcServer`.
 */
export class H2GrpcServer implements CallHost {
  maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  readonly #opts: H2GrpcServerOptions;
  readonly #methods = new Map<string, ServedMethod>();
  readonly #sessions = new Set<ServerSession>();
  #server: NetServer | undefined;
  #isShuttingDown = false;
  #onAllClosed: (() => void) | undefined;
  /** Calls whose deadline timer is armed at the next turn of the event loop, if they are still running. */
  #unarmed: ServerCall[] = [];

  constructor(opts: H2GrpcServerOptions) {
    this.#opts = opts;
    this.maxReceiveMessageBytes = opts.maxReceiveMessageBytes;
    this.maxSendMessageBytes = opts.maxSendMessageBytes;
  }

  /** Serves `service`'s methods with `implementation`'s handlers (by their original names, as grpc-js does). */
  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    for (const [name, def] of Object.entries(service)) {
      const handler = implementation[name] ?? (def.originalName === undefined ? undefined : implementation[def.originalName]);
      if (typeof handler !== "function") throw new Error(`no handler for ${def.path}`);
      if (this.#methods.has(def.path)) throw new Error(`method ${def.path} added twice`);
      this.#methods.set(def.path, {
        path: def.path,
        requestStream: def.requestStream,
        responseStream: def.responseStream,
        deserialize: def.requestDeserialize as (bytes: Buffer) => unknown,
        serialize: def.responseSerialize as (value: unknown) => Buffer,
        // Our calls have what these handlers use of grpc-js's call objects (server-call.ts), not all of it.
        handler: handler as unknown as ServedMethod["handler"],
        record: this.#opts.recordOf?.(def.path, def.requestStream, def.responseStream),
      });
    }
  }

  /** @internal A timer per call costs more than most calls; those that end within this turn never need one. */
  armDeadlineLater(call: ServerCall): void {
    if (this.#unarmed.push(call) === 1) setImmediate(this.#armDeadlines);
  }

  readonly #armDeadlines = (): void => {
    const calls = this.#unarmed;
    this.#unarmed = [];
    for (const call of calls) call.armDeadline();
  };

  /** Listens on `host:port` (0: the OS chooses); resolves to the bound port. */
  listen(host: string, port: number): Promise<number> {
    const tls = this.#opts.tls;
    let server: NetServer;
    if (tls === undefined) {
      server = createNetServer({ noDelay: true }, (socket) => this.#accept(socket));
    } else {
      const { files } = tls;
      const tlsServer = createTlsServer({
        ...secureOptionsOf(files.material, files),
        ALPNProtocols: ["h2"],
        requestCert: files.hasClientCa,
        rejectUnauthorized: tls.requireClientCert,
      }, (socket) => {
        // A client that offered ALPN agreed to h2 or it would not be here; one without ALPN speaks it or fails the preface.
        if (socket.alpnProtocol !== false && socket.alpnProtocol !== "h2") socket.destroy();
        else this.#accept(socket);
      });
      const stop = files.onChange((material) => { tlsServer.setSecureContext(secureOptionsOf(material, files)); });
      tlsServer.on("close", stop);
      // A failed handshake is the client's problem; it must not reach the process as an error.
      tlsServer.on("tlsClientError", () => undefined);
      server = tlsServer;
    }
    this.#server = server;
    return new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        server.on("error", () => undefined);
        const address = server.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });
  }

  /** Takes no new connection or call; `onDone` once every call in flight has ended and its connection closed. */
  tryShutdown(onDone: () => void): void {
    this.#isShuttingDown = true;
    this.#onAllClosed = onDone;
    this.#server?.close();
    for (const session of this.#sessions) session.goAway();
    this.#checkAllClosed();
  }

  /** Ends every connection now; calls in flight are cancelled. */
  forceShutdown(): void {
    this.#isShuttingDown = true;
    this.#server?.close();
    for (const session of [...this.#sessions]) session.destroy();
    this.#checkAllClosed();
  }

  #accept(socket: Socket | TLSSocket): void {
    if (this.#isShuttingDown) {
      socket.destroy();
      return;
    }
    let onClosed: (() => void) | undefined;
    const session: ServerSession = new ServerSession(socket, {
      windowBytes: this.#opts.windowBytes,
      maxConcurrentStreams: this.#opts.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      maxHeaderListBytes: this.#opts.maxHeaderListBytes ?? DEFAULT_MAX_HEADER_LIST_BYTES,
      onStream: this.#onStream,
      onClose: () => {
        this.#sessions.delete(session);
        onClosed?.();
        this.#checkAllClosed();
      },
    });
    this.#sessions.add(session);
    onClosed = this.#opts.onConnection?.(session.peer);
  }

  #checkAllClosed(): void {
    if (this.#sessions.size > 0 || this.#onAllClosed === undefined) return;
    const done = this.#onAllClosed;
    this.#onAllClosed = undefined;
    done();
  }

  readonly #onStream = (stream: ServerStream, headers: HeaderList, endStream: boolean): void => {
    let method: string | undefined;
    let path: string | undefined;
    let contentType: string | undefined;
    let timeout: string | undefined;
    let encoding: string | undefined;
    for (const [name, value] of headers) {
      switch (name) {
        case ":method": method = value; break;
        case ":path": path = value; break;
        case "content-type": contentType = value; break;
        case "grpc-timeout": timeout = value; break;
        case "grpc-encoding": encoding = value; break;
        default: break;
      }
    }
    if (method !== "POST") {
      stream.send(undefined, undefined, encodeHeaderBlock([[":status", "405"], ["allow", "POST"]]));
      return;
    }
    if (contentType === undefined || !contentType.startsWith("application/grpc")) {
      stream.send(undefined, undefined, encodeHeaderBlock([[":status", "415"]]));
      return;
    }
    const served = path === undefined ? undefined : this.#methods.get(path);
    if (served === undefined) {
      stream.send(undefined, undefined, statusBlockOf({ code: status.UNIMPLEMENTED, details: `The server does not implement the method ${path ?? ""}` }, undefined, true));
      return;
    }
    if (encoding !== undefined && encoding !== "identity") {
      stream.send(undefined, undefined, statusBlockOf({
        code: status.UNIMPLEMENTED, details: `Compression "${encoding}" is not supported: send messages uncompressed (grpc-encoding identity)`,
      }, undefined, true));
      return;
    }
    const call = new ServerCall(stream, served, headers, timeoutMsOf(timeout), this);
    if (endStream) call.onData(Buffer.alloc(0), true);
  };
}
