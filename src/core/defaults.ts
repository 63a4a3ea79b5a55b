/** Tango's tunables, each with the spec section it comes from. Tests pass shorter values as options. */

/** spec §10.6: a serialization-monitor waiter gives up after 3200 ms (not the client's 3000). */
export const MONITOR_TIMEOUT_MS = 3200;
/** spec §10.3: the client's default call timeout. */
export const CLIENT_TIMEOUT_MS = 3000;
/** spec §10.8: the lock validity DeviceProxy.lock uses when given none, seconds. */
export const CLIENT_LOCK_VALIDITY_S = 10;
/** spec §10.8: the shortest lock validity the client asks for (cppTango's MIN_LOCK_VALIDITY), seconds. */
export const CLIENT_MIN_LOCK_VALIDITY_S = 2;
/** spec §10.8: the client relocks this long before its lock's validity ends (cppTango's LockThread), ms. */
export const CLIENT_RELOCK_MARGIN_MS = 500;
/** spec §10.7: blackbox ring depth (device property `blackbox_depth`). */
export const BLACKBOX_DEPTH = 50;
/** spec §11.2: polling ring depth (`poll_ring_depth`). */
export const POLL_RING_DEPTH = 10;
/** spec §11.1 item 9: the cache is stale after period × this factor (device property `poll_old_factor`). */
export const POLL_OLD_FACTOR = 4;
/** spec §11.2: the smallest polling period, ms (0 means externally triggered). */
export const MIN_POLL_PERIOD_MS = 5;
/** cppTango's DISCARD_THRESHOLD: a poll more than this late is discarded and reported (API_PollThreadOutOfSync). */
export const POLL_DISCARD_THRESHOLD_MS = 20;
/** spec §11.4: DevPollStatus shows this many deltas between the newest records. */
export const POLL_STATUS_DELTAS = 4;
/** spec §12.2: periodic and archive periods below 5000 ms get 2 % tolerance (cppTango DELTA_PERIODIC). */
export const DELTA_PERIODIC = 0.98;
/** spec §12.2: from 5000 ms on the tolerance is 100 ms (cppTango DELTA_PERIODIC_LONG). */
export const DELTA_PERIODIC_LONG_MS = 100;
/**
 * How often every event stream gets a heartbeat, ms. cppTango's is 9 s with a 10 s client
 * tolerance (spec §12.1 item 5); ours is shorter, so that a client sees a dead or frozen server
 * within two heartbeats (6 s) rather than in ten seconds.
 */
export const EVENT_HEARTBEAT_MS = 3000;
/** Events queued per subscriber before the oldest are dropped (cppTango's subscriber HWM, SUB_HWM). */
export const EVENT_QUEUE_DEPTH = 1000;
/** Most events written to a subscriber in one stream message (frames stay small under load). */
export const EVENT_BATCH_MAX = 256;
/** spec §3.2: description of a device without a `description` property. */
export const DEFAULT_DEVICE_DESCRIPTION = "A TANGO device";
/** spec §3.2: description of the admin device. */
export const ADMIN_DEVICE_DESCRIPTION = "A device server device !!";
/** spec §3.2: `info().doc_url` prefix and default URL. */
export const DOC_URL_PREFIX = "Doc URL = ";
export const DEFAULT_DOC_URL = "http://www.tango-controls.org";
/** spec §3.2: `info().dev_type`. */
export const DEFAULT_DEV_TYPE = "Uninitialised";
/** spec §19 item 1: we model the IDL-5 operation set, so we report version 5 like cppTango 9.3. */
export const SERVER_IDL_VERSION = 5;
/**
 * The Tango library release the admin event commands report (cppTango's `get_tango_lib_release`,
 * 934 for 9.3.4): the cppTango release whose behaviour this server follows.
 */
export const TANGO_LIB_RELEASE = 934;
/** spec §4.3: an empty command argument description is sent as this word. */
export const UNINITIALISED_DESC = "Uninitialised";
/** spec §13: default logging level of a device (WARN). */
export const DEFAULT_LOGGING_LEVEL = 3;
/** Default port of the HTTP sidecar: health, readiness, metrics, REST (DESIGN §4). */
export const DEFAULT_HTTP_PORT = 8080;
/** Default gRPC port (DESIGN §5). */
export const DEFAULT_GRPC_PORT = 50051;
/**
 * Largest gRPC message accepted or sent by default: 256 MiB, cppTango's MAX_TRANSFER_SIZE
 * (spec §16). A 1,000,000-double spectrum is 8 MB as bytes, ~9 MB packed.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Grace period for draining calls at shutdown before the process gives up on them. */
export const SHUTDOWN_GRACE_MS = 10_000;
/**
 * The device name that addresses the admin device of whichever server answers (tango.proto,
 * service comment): no-database Tango has no other way to learn `dserver/<server>/<instance>`.
 */
export const ADMIN_DEVICE_ALIAS = "dserver";
/**
 * spec §10.3 item 2: after a call timed out, the client pings the device to tell a busy device
 * (API_DeviceTimedOut, connection kept) from a dead connection (reset). The ping gets this long,
 * so the error arrives within timeout + 200 ms.
 */
export const PING_AFTER_TIMEOUT_MS = 100;
/**
 * HTTP/2 receive window of both ends, per stream and per connection (DESIGN §8). Node's default,
 * 64 KiB, makes a peer sending 8 MB wait for 128 WINDOW_UPDATE round trips: with 1 MiB the
 * 1,000,000-double round trip takes half the time. It bounds what one peer can make us buffer.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;
/**
 * Longest URL (path and query) the HTTP sidecar reads, bytes: 8 KiB, the limit of common proxies
 * (nginx's large_client_header_buffers, Apache's LimitRequestLine). Longer ones are 414.
 */
export const MAX_HTTP_URL_BYTES = 8 * 1024;
/**
 * Longest time an HTTP client may take to send a request's headers and body to the sidecar, ms:
 * then 408. A client that stops half way through a body is not waited for without end.
 */
export const HTTP_RECEIVE_TIMEOUT_MS = 30_000;

/** Largest value of one property in the file store, bytes of JSON text (a Tango database column holds far less). */
export const STORE_MAX_PROPERTY_BYTES = 1024 * 1024;
/** Largest the file store's run-time properties may grow together, bytes. */
export const STORE_MAX_BYTES = 64 * 1024 * 1024;
/** The store's journal is compacted once it has grown this much, and more than its last snapshot, bytes. */
export const STORE_COMPACT_MIN_BYTES = 1024 * 1024;
/*
 * A device server's client of the Tango database (spec §15, §9.2; DESIGN §10). Not in Tango:
 * cppTango gives up when the database does not answer at start; a container must wait for it.
 */
/** The first wait after the database did not answer at start, ms; each next wait doubles, up to the configured maximum. */
export const DATABASE_RETRY_MIN_MS = 250;
/** The longest wait between two tries at start, ms (config `databaseClient.retryMaxMs`). */
export const DATABASE_RETRY_MAX_MS = 10_000;
/** How often a running server checks that the database still has it exported, ms (config `databaseClient.checkIntervalMs`). */
export const DATABASE_CHECK_INTERVAL_MS = 10_000;
/**
 * Isolation of hung and busy devices (not in Tango: cppTango has no watchdog). A handler running
 * longer than this many monitor timeouts (spec §10.6: 3200 ms, so 9.6 s) is reported hung; its
 * device can then be replaced by DevRestart or Init while it still runs.
 */
export const HUNG_HANDLER_FACTOR = 3;
/** An event-loop stall at least this long is logged with the operation blamed for it, ms. */
export const EVENT_LOOP_STALL_MS = 1000;
/** How often the watchdog looks for hung handlers and measures its own lateness (a stall), ms. */
export const WATCHDOG_INTERVAL_MS = 100;
/**
 * At shutdown, devices get at least this long to be deleted even when draining the calls used the
 * whole grace period, ms: the process ends within the grace period plus this.
 */
export const SHUTDOWN_DELETE_FLOOR_MS = 500;

/*
 * Limits (DESIGN §11): checked in the adapters before decoding work is done, so that bad or
 * oversized input gets a clear Tango error at once instead of a hang, a stall or a bloated heap.
 */
/**
 * Longest device, attribute, command or property name accepted, in UTF-8 bytes. Tango's database
 * keeps device names in 255 characters; a name of kilobytes is never a real one, and echoing it
 * into error trailers is what used to break connections.
 */
export const MAX_NAME_BYTES = 1024;
/** How much of a refused name an error description quotes, in UTF-8 bytes. */
export const QUOTED_NAME_BYTES = 64;
/**
 * Bounds of an error stack on the wire (src/grpc/status.ts), so that the status message and the
 * `grpc-status-details-bin` trailer always fit in the peer's header limits (HTTP/2 header lists of
 * 16–64 KiB): each frame's description, its reason and origin, the frames kept (the root causes
 * and the outermost ones) and the status message.
 */
export const MAX_ERROR_DESC_BYTES = 1024;
export const MAX_ERROR_FIELD_BYTES = 256;
export const MAX_ERROR_FRAMES = 6;
export const MAX_ERROR_ELEMENTS = 8;
export const MAX_STATUS_MESSAGE_BYTES = 1024;
/**
 * Default budget of one request's packed numeric arrays, counted as the bytes of the typed arrays
 * they decode into (a 16 MiB DevVarCharArray sent packed decodes as 16 M × 4 bytes).
 */
export const DEFAULT_MAX_PACKED_ARRAY_BYTES = 256 * 1024 * 1024;
/**
 * spec §8 item 2: most data elements one pipe blob may hold, its nested blobs' included (a nested
 * blob counts as one element, and so does each of its own). Tango sets no bound; ours refuses an
 * absurd tree with API_PipeWrongArg before the work of converting it is done.
 */
export const PIPE_MAX_DATA_ELEMENTS = 65_536;
/** Requests from this size on are checked against the memory guard (`limits.maxHeapBytes`). */
export const MEMORY_GUARD_MIN_REQUEST_BYTES = 1024 * 1024;
/**
 * What decoding a request of N bytes may cost on top of the memory in use, as a multiple of N
 * (the decoded values and their copies); the memory guard refuses the request when that would
 * pass `limits.maxHeapBytes`.
 */
export const DECODE_COST_FACTOR = 2;
/**
 * How often a server with TLS looks at its certificate files for a new one, ms: a cert-manager
 * rotation is in use within about two of these (a change must be stable for one interval).
 */
export const TLS_RELOAD_INTERVAL_MS = 5_000;
/**
 * Packed integer arrays from this many bytes on are decoded (requests) and encoded (replies) in
 * slices of PACKED_SLICE_ELEMENTS elements, between which the event loop serves other calls: a
 * 16 MiB DevVarCharArray must not hold every other connection for the time it takes.
 */
export const PACKED_IN_SLICES_MIN_BYTES = 1024 * 1024;
export const PACKED_SLICE_ELEMENTS = 1024 * 1024;
/**
 * spec §10.3 item 4, §16: cppTango's DB_TIMEOUT, the longest a client waits for one call to the
 * Tango database (name resolution), whatever its own timeout.
 */
export const DATABASE_TIMEOUT_MS = 13_000;
/** spec §15: the Tango database device, the name server a client asks at TANGO_HOST. */
export const DATABASE_DEVICE = "sys/database/2";
/**
 * spec §8 item 2: deepest nesting of pipe blobs accepted (the root blob is depth 1). Tango sets no
 * bound; ours keeps a recursive check and the protobuf codec far from their stack limits. A blob
 * nested deeper is refused with API_PipeWrongArg, as written or read.
 */
export const PIPE_BLOB_MAX_DEPTH = 32;
/**
 * spec §10.3: dead-peer detection of the client's http2 transport. While calls are in
 * flight, the connection sends an HTTP/2 PING this often.
 */
export const CLIENT_KEEPALIVE_TIME_MS = 10_000;
/** A PING not acknowledged within this long means the server is gone: the connection is dropped. */
export const CLIENT_KEEPALIVE_TIMEOUT_MS = 5_000;
