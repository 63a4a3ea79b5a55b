import type { TlsClientOptions } from "./tls-options.js";
import type {
  AttrDataFormat, AttrQuality, CmdArgType, DevFailed, DevSource, TimeVal, ValueMap,
} from "../core/index.js";

/**
 * Any value a Tango command or attribute carries, in its canonical client form: `number`,
 * `bigint` for DevLong64/DevULong64, `boolean`, `string`, `DevState` (a number enum),
 * `DevEncoded` (`{ format, data }`), typed arrays for numeric spectra and images (row-major),
 * `string[]`, `boolean[]`, `DevState[]`, and the two struct types of DevVarLongStringArray and
 * DevVarDoubleStringArray. `undefined` is DevVoid.
 */
export type TangoValue = ValueMap[keyof ValueMap];

/** Options of one call; each overrides the proxy's setting for that call only. */
export interface CallOptions {
  /**
   * Time allowed for the whole call, connecting included, in milliseconds. `Infinity` waits for
   * ever (Tango's "no timeout"). Default: the proxy's `timeoutMs` (3000 ms, spec §10.3).
   */
  readonly timeoutMs?: number;
  /** Aborts the call; the promise then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** Options of a read (attributes, and commands that may come from the polling cache). */
export interface ReadOptions extends CallOptions {
  /** Where the value comes from. Default: the proxy's `source` (CACHE_DEV, spec §10.3 item 6). */
  readonly source?: DevSource;
}

/** Options of an attribute write. */
export interface WriteOptions extends CallOptions {
  /**
   * Image dimensions when the value is a flat row-major array: `dimX` columns, `dimY` rows.
   * Not needed for nested arrays (`[[1, 2], [3, 4]]`), whose shape gives them.
   */
  readonly dimX?: number;
  /** Image rows, with `dimX`. */
  readonly dimY?: number;
}

/** Who the client says it is; sent with every call, shown in the server's blackbox (spec §10.7). */
export interface ClientIdentityOptions {
  /** Default: `os.hostname()`. */
  readonly host?: string;
  /** Default: `process.pid`. */
  readonly pid?: number;
  /** Default: `"TypeScript"`. */
  readonly language?: string;
  /**
   * The proxy's id, sent with every call (metadata `tango-client-proxy`): with the host and the
   * PID, who owns a device lock (DeviceProxy.lock). Default: a random id per proxy, so two
   * proxies of one process are two owners; proxies given the same id are one owner.
   */
  readonly proxyId?: string;
}

/** Options of a DeviceProxy. */
export interface DeviceProxyOptions {
  /** Default call timeout in milliseconds; `Infinity` for none. Default 3000 (spec §10.3). */
  readonly timeoutMs?: number;
  /**
   * Transparent reconnection (spec §10.3, on by default as in cppTango): a call finding the
   * connection lost reconnects first, and a read whose connection broke mid-call is sent once
   * more. A command or write that may have run is never repeated. Off: the first call after a
   * loss fails with API_CommunicationFailed, and the next ones reconnect.
   */
  readonly transparentReconnection?: boolean;
  /** Default source of reads. Default CACHE_DEV. */
  readonly source?: DevSource;
  /** Largest message sent or received, in bytes. Default 256 MiB (cppTango's MAX_TRANSFER_SIZE). */
  readonly maxMessageBytes?: number;
  /** Who this client says it is. */
  readonly identity?: ClientIdentityOptions;
  /**
   * Bearer token sent as `authorization: Bearer <token>` metadata on every call and event stream:
   * who the server takes this client for, and so what it may do (READ, WRITE or ADMIN; see the
   * server's docs/security.md). Default: the environment variable `TANGO_TOKEN`; `""` sends none.
   */
  readonly token?: string;
  /**
   * How numeric arrays travel, both ways: `"bytes"` (the default) as one little-endian block,
   * the fast form; `"packed"` as protobuf repeated values, the form grpcurl users read. Values
   * reach the caller the same way with either (DESIGN §3).
   */
  readonly arrayEncoding?: "bytes" | "packed";
  /**
   * TLS to the device server: `true` checks the server's certificate against Node's root CAs;
   * an object gives the CA, a client certificate and key (mutual TLS), or the server name. A
   * `tango+tls://` TRL turns TLS on as `true` does. Default: plaintext. A certificate the client
   * does not trust, or one for another name, fails the call with API_CantConnectToDevice.
   */
  readonly tls?: boolean | TlsClientOptions;
  /**
   * The Tango database that names without `host:port` (`sys/tg_test/1`, an alias) are looked up
   * in: `host:port`, or several databases of one control system separated by commas
   * (`db1:10000,db2:10000`), tried in turn. Default: the environment variable TANGO_HOST. The
   * database, asked with DbImportDevice, gives the device server's address; its connection uses
   * TLS as the device's does (`tls`, `tango+tls://`).
   */
  readonly tangoHost?: string;
  /**
   * How calls travel: `"grpc-js"` through @grpc/grpc-js's channel, `"http2"` over HTTP/2 framed
   * by the client itself on a TCP or TLS socket (gRPC's protocol, with far less work per call). Both give the same behaviour: deadlines,
   * reconnection, TLS, events, errors. Default: the environment variable
   * `TANGO_CLIENT_TRANSPORT`, else `"http2"`. The Tango database is reached the same way.
   */
  readonly transport?: "http2" | "grpc-js";
}

/**
 * One attribute as read (PyTango's `DeviceAttribute`). Images are flat, row-major: `dimX`
 * columns by `dimY` rows.
 */
export interface DeviceAttribute<V = TangoValue> {
  /** The attribute name, in the case the device declared it. */
  readonly name: string;
  /** The read value; `undefined` when the quality is ATTR_INVALID or the read failed. */
  readonly value: V | undefined;
  /** The set (written) value of a writable attribute; `undefined` otherwise. */
  readonly wValue: V | undefined;
  /** ATTR_VALID, ATTR_INVALID (no value), ATTR_ALARM, ATTR_WARNING or ATTR_CHANGING. */
  readonly quality: AttrQuality;
  /** When the value was read, as Tango sends it (seconds and microseconds since the epoch). */
  readonly time: TimeVal;
  /** `time` as a Date (millisecond precision). */
  readonly date: Date;
  /** SCALAR, SPECTRUM or IMAGE. */
  readonly dataFormat: AttrDataFormat;
  /** The element type: DevDouble for a double spectrum. */
  readonly dataType: CmdArgType;
  /** Read dimensions: x is the length of a spectrum, or an image's columns; y an image's rows. */
  readonly dimX: number;
  /** Read dimensions: an image's rows; 0 for a scalar or a spectrum. */
  readonly dimY: number;
  /** Set-value dimensions, as `dimX`. */
  readonly wDimX: number;
  /** Set-value dimensions, as `dimY`. */
  readonly wDimY: number;
  /**
   * Set when this attribute failed in a multi-attribute read: the server's stack with
   * API_AttributeFailed on top. `readAttribute` throws it instead.
   */
  readonly error?: DevFailed;
}

/**
 * Who holds a device's lock, from the admin device's DevLockStatus (PyTango's `LockerInfo`,
 * DeviceProxy.getLocker).
 */
export interface LockerInfo {
  /** `"CPP"` for a client that sent its PID (C++, Python, TypeScript), `"JAVA"` otherwise (cppTango's rule). */
  readonly language: "CPP" | "JAVA";
  /** The owner's process id; 0 for a Java client. */
  readonly pid: number;
  /** A Java client's UUID, four numbers; zeros otherwise. */
  readonly uuid: readonly number[];
  /** The owner's host: its IP address, or this host's name when the owner is on this host. */
  readonly host: string;
  /** The owner's address as the server gives it (`Not defined` when it has none). */
  readonly address: string;
  /** A Java client's main class; `Not defined` otherwise. */
  readonly lockerClass: string;
  /** The server's sentence, as lockingStatus gives it. */
  readonly status: string;
}

/** One record of a polled command's history (PyTango's `DeviceDataHistory`). */
export interface CommandHistoryEntry<T = TangoValue> {
  /** When the command was polled. */
  readonly time: TimeVal;
  /** `time` as a Date (millisecond precision). */
  readonly date: Date;
  /** The command's output; undefined when it failed. */
  readonly value: T | undefined;
  /** The command's failure. */
  readonly error?: DevFailed;
}
