import type { Http2Server, Http2Session } from "node:http2";
import type { Server } from "@grpc/grpc-js";
import type { Connection } from "../server/index.js";

/** The grpc-js 1.14 internal this file relies on, as it is at run time (see server-flow-control.ts). */
interface ServerInternals {
  _setupHandlers?: (http2Server: Http2Server | null, ...rest: unknown[]) => void;
}

/** One client connection (an HTTP/2 session) of the server. */
class SessionConnection implements Connection {
  readonly peer: string;
  #isClosed = false;
  readonly #listeners = new Set<() => void>();

  constructor(peer: string) {
    this.peer = peer;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  onClose(listener: () => void): () => void {
    if (this.#isClosed) {
      listener();
      return () => undefined;
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}

/**
 * The client connections of a gRPC server, found by the peer string a call gives
 * (`call.getPeer()`: `<remoteAddress>:<remotePort>` of the session's socket, e.g.
 * `127.0.0.1:50744` or `::1:50744`), so that a lock can end when its owner's connection closes
 * (docs/locking.md). grpc-js has no public per-connection event: `trackConnections` wraps the
 * hook that wires up each HTTP/2 server, as raiseReceiveWindow does, to see every session.
 *
 * @internal Used by `startGrpcServer` and the device service.
 */
export class ConnectionTracker {
  readonly #byPeer = new Map<string, SessionConnection>();

  /** The open connection a call with this peer string came on; undefined when none is known (it closed already). */
  find(peer: string): Connection | undefined {
    return this.#byPeer.get(peer);
  }

  /** The number of open connections (for tests). */
  get size(): number {
    return this.#byPeer.size;
  }

  /** Starts following one connection, by the peer string its calls give; returns what to call when it closes. */
  open(peer: string): () => void {
    const connection = new SessionConnection(peer);
    this.#byPeer.set(peer, connection);
    return () => {
      if (this.#byPeer.get(peer) === connection) this.#byPeer.delete(peer);
      connection.close();
    };
  }

  /** Starts following one HTTP/2 session of grpc-js. */
  add(session: Http2Session): void {
    const socket = session.socket as Http2Session["socket"] | undefined;
    const address = socket?.remoteAddress;
    if (address === undefined) return;
    // The same string grpc-js's getPeer() builds for the calls of this session.
    session.once("close", this.open(socket?.remotePort === undefined ? address : `${address}:${socket.remotePort}`));
  }
}

/**
 * Follows the connections of `server` (call before `bindAsync`). Returns undefined, changing
 * nothing, when grpc-js no longer has the hook; locks then end only by validity or unlock.
 * test/e2e/locking-grpc.test.ts checks it against the grpc-js in use (IPv4 and IPv6 loopback).
 *
 * @internal Used by `startGrpcServer`.
 */
export function trackConnections(server: Server): ConnectionTracker | undefined {
  const internals = server as unknown as ServerInternals;
  const setupHandlers = internals._setupHandlers;
  if (typeof setupHandlers !== "function") return undefined;
  const tracker = new ConnectionTracker();
  internals._setupHandlers = function (this: unknown, http2Server, ...rest) {
    setupHandlers.call(this, http2Server, ...rest);
    http2Server?.on("session", (session: Http2Session) => tracker.add(session));
  };
  return tracker;
}
