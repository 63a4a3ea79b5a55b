import { setFlagsFromString } from "node:v8";

/*
 * Loaded by mocha before any test (.mocharc.json `require`). The suite opens and closes hundreds
 * of embedded PostgreSQL engines (PGlite, WebAssembly) in one process, and Node 24's V8 (13.6) can
 * abort the process while freeing the wasm-to-JS call wrappers that dead engines leave behind
 * ("Check failed: jit_page_->allocations_.erase(addr) == 1", from Runtime_TierUpWasmToJSWrapper
 * through WasmImportWrapperCache::Free; nodejs/node#64500): it killed a CI rehearsal in the
 * middle of the PGlite suites. With the wrapper tier-up budget out of reach, V8 never compiles
 * such a wrapper, so it never frees one.
 *
 * Only the test process needs it: a database server runs one engine for its whole life, so its
 * wrappers never die, and the generic wrappers would cost it about a third of its embedded
 * throughput (DbImportDevice, 64 in flight: 7,971 → 4,973 calls/s, measured).
 */
setFlagsFromString("--wasm-wrapper-tiering-budget=2147483647");
