import type {
  AttributeConfig, AttributeConfigUpdate, AttributeValue, AttributeWrite, CommandHistoryRecord, CommandInfo, DeviceInfo,
  DevSource, DevState, EventType, PipeBlob, PipeConfig, PipeConfigUpdate, PipeValue, TypedValue,
} from "../core/index.js";
import type { EventSink, Subscription } from "./events/subscription.js";
import type { Principal } from "./access/access-policy.js";

/** Who made a request (spec §10.7, §20 item 3): from gRPC metadata plus the transport's peer. */
export interface ClientIdentity {
  /** Client host as the client named itself, else the peer IP. */
  readonly host: string;
  /** Peer address as the transport saw it, e.g. `127.0.0.1:50744` or `ipv6:[::1]:1234`. */
  readonly peer: string;
  /** Client process id, when the client sent one. */
  readonly pid?: number;
  /** Client language, e.g. `CPP`, `Python`, `JS`, `Java` (from `tango-client-lang`). */
  readonly language?: string;
  /** Java main class, for Java clients. */
  readonly mainClass?: string;
  /** The calling proxy's id (from `tango-client-proxy`): with host and pid, who owns a lock. */
  readonly proxyId?: string;
}

/**
 * The transport connection a request came on (a gRPC HTTP/2 session), when the transport has
 * one the server can watch. A lock taken on it ends when it closes (docs/locking.md).
 */
export interface Connection {
  /** The peer address as the transport saw it, e.g. `127.0.0.1:50744` (for logs). */
  readonly peer: string;
  /** True once the connection is gone (the client closed it, died, or the network failed). */
  readonly isClosed: boolean;
  /** Calls `listener` once when the connection closes (at once when it already is); the result removes it. */
  onClose(listener: () => void): () => void;
}

/**
 * The caller of one request: built once at the edge, passed down (STYLE §4). `origin` replaces
 * "requested from <host>" in the blackbox for requests the server makes itself.
 */
export interface CallContext {
  readonly client: ClientIdentity;
  /** How the request arrived. */
  readonly transport: "grpc" | "http" | "internal";
  /** Aborted when the client cancels or its deadline passes. */
  readonly signal?: AbortSignal;
  /** Set for requests the server makes itself (spec §10.7): "polling", "user thread", … */
  readonly origin?: string;
  /**
   * Who the caller is and what it may do (docs/security.md), made once at the edge from its
   * credentials (AccessPolicy.authenticate). The gRPC and HTTP adapters always set it; a request
   * without one comes from the process itself and is not checked.
   */
  readonly principal?: Principal;
  /** The connection the request came on, when the transport can tell (gRPC); REST and in-process callers have none. */
  readonly connection?: Connection;
}

/** Options of a read. */
export interface ReadOptions {
  readonly source?: DevSource;
}

/**
 * The request-reply protocol, in process (DESIGN §1). Adapters (gRPC, HTTP) decode the wire,
 * call these, and encode the result or the DevFailed. Every method records the blackbox first.
 */
export interface RequestApi {
  ping(ctx: CallContext, device: string): Promise<void>;
  info(ctx: CallContext, device: string): Promise<DeviceInfo>;
  state(ctx: CallContext, device: string): Promise<DevState>;
  status(ctx: CallContext, device: string): Promise<string>;
  blackBox(ctx: CallContext, device: string, n: number): Promise<string[]>;
  commandInout(ctx: CallContext, device: string, command: string, argin: TypedValue | undefined, opts?: ReadOptions): Promise<TypedValue>;
  commandListQuery(ctx: CallContext, device: string): Promise<CommandInfo[]>;
  commandQuery(ctx: CallContext, device: string, command: string): Promise<CommandInfo>;
  readAttributes(ctx: CallContext, device: string, names: readonly string[], opts?: ReadOptions): Promise<AttributeValue[]>;
  /** Throws MultiDevFailed when some writes failed; the others are kept. */
  writeAttributes(ctx: CallContext, device: string, values: readonly AttributeWrite[]): Promise<void>;
  writeReadAttributes(ctx: CallContext, device: string, values: readonly AttributeWrite[], names: readonly string[]): Promise<AttributeValue[]>;
  getAttributeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<AttributeConfig[]>;
  setAttributeConfig(ctx: CallContext, device: string, updates: readonly AttributeConfigUpdate[]): Promise<void>;
  getProperty(ctx: CallContext, device: string, names: readonly string[]): Promise<Array<{ name: string; values: string[] }>>;
  putProperty(ctx: CallContext, device: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<void>;
  deleteProperty(ctx: CallContext, device: string, names: readonly string[]): Promise<void>;
  /**
   * read_attribute_history_5 (spec §11.3 item 4): up to `n` records of a polled attribute from
   * its polling buffer, oldest first, failed reads with their errors inside.
   */
  readAttributeHistory(ctx: CallContext, device: string, attribute: string, n: number): Promise<AttributeValue[]>;
  /** command_inout_history_4: as readAttributeHistory, for a polled command. */
  commandInoutHistory(ctx: CallContext, device: string, command: string, n: number): Promise<CommandHistoryRecord[]>;
  /** get_pipe_config_5: the pipes named (any case), or every pipe when `names` is empty. */
  getPipeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<PipeConfig[]>;
  /** set_pipe_config_5: labels and descriptions, all or nothing. */
  setPipeConfig(ctx: CallContext, device: string, updates: readonly PipeConfigUpdate[]): Promise<void>;
  /** read_pipe_5. */
  readPipe(ctx: CallContext, device: string, name: string): Promise<PipeValue>;
  /** write_pipe_5: a read-write pipe only. */
  writePipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<void>;
  /** write_read_pipe_5: write, then read the same pipe, under one hold of the monitor. */
  writeReadPipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<PipeValue>;
  /**
   * Subscribes `sink` to events of an attribute (or of the device, for interface changes; then
   * `attribute` is ignored). Refusals are thrown before anything is sent; the events, the first
   * being the current value, are then taken from the returned Subscription as `sink` is woken.
   */
  subscribeEvent(ctx: CallContext, device: string, attribute: string, type: EventType, sink: EventSink): Promise<Subscription>;
}
