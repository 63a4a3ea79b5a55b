import type { ServiceDefinition } from "@grpc/proto-loader";
import type protobuf from "protobufjs";
import { DevFailed, Reason } from "../core/index.js";
import { fastRoot } from "./fast-codec.js";
import type { MemoryGuard } from "./memory-guard.js";
import { PROTO_LOADER_OPTIONS, tangoProtoFile } from "./proto.js";
import { PackedBudgetExceeded, StrictReader } from "./strict-reader.js";

/*
 * How the server decodes tango.v1.Device requests. grpc-js answers a deserializer that throws
 * with INTERNAL "Error deserializing request" and no Tango error (issue finding 9), so this one
 * never throws: a request it cannot or will not decode becomes a RefusedRequest carrying the
 * DevFailed to answer, which the handlers send as the call's status (request-checks.ts):
 * - malformed bytes, or a string whose declared length runs past the message: API_DecodeErr
 *   (INVALID_ARGUMENT);
 * - packed arrays decoding past `limits.maxPackedArrayBytes`, or a large request when memory is
 *   short (memory-guard.ts): API_MemoryAllocation (RESOURCE_EXHAUSTED), before the work is done.
 * Every request goes through the fast-path root (fast-codec.ts), so packed arrays arrive as typed
 * arrays whatever their size.
 */

/** A request refused while decoding; its handler answers `error` and does nothing else. @internal */
export class RefusedRequest {
  constructor(readonly error: DevFailed) {}
}

/** The limits applied while decoding requests. @internal */
export interface RequestDecodingLimits {
  /** Budget of one request's packed arrays, as the bytes of the typed arrays they decode into. */
  readonly maxPackedArrayBytes: number;
  /** The memory guard, when `limits.maxHeapBytes` is set. */
  readonly guard?: MemoryGuard;
  /** Called after each request is decoded (or refused): the server refreshes its receive limit. */
  readonly afterDecode?: () => void;
}

type Deserialize = (bytes: Buffer) => object;

function requestDecoder(typeName: string, method: string, limits: RequestDecodingLimits): Deserialize {
  const origin = `tango.v1.Device/${method}`;
  let type: protobuf.Type | undefined;
  const decode = (bytes: Buffer): object => {
    const refusal = limits.guard?.check(bytes.length, origin);
    if (refusal !== undefined) return new RefusedRequest(refusal);
    type ??= fastRoot(tangoProtoFile()).lookupType(`tango.v1.${typeName}`);
    try {
      return type.toObject(type.decode(new StrictReader(bytes, limits.maxPackedArrayBytes)), PROTO_LOADER_OPTIONS);
    } catch (e) {
      if (e instanceof PackedBudgetExceeded) {
        return new RefusedRequest(DevFailed.of(Reason.MemoryAllocation,
          `The arrays of this request decode to more than ${e.budgetBytes} bytes (limits.maxPackedArrayBytes); send large numeric arrays as bytes (array_encoding BYTES)`,
          origin));
      }
      if (e instanceof Error) {
        return new RefusedRequest(DevFailed.of(Reason.DecodeErr,
          `The request is not a valid tango.v1.${typeName} (${bytes.length} bytes): ${e.message}`, origin));
      }
      throw e;
    }
  };
  const after = limits.afterDecode;
  if (after === undefined) return decode;
  return (bytes) => {
    try {
      return decode(bytes);
    } finally {
      after();
    }
  };
}

/**
 * tango.v1.Device with every method's request deserializer replaced by the limited, never-throwing
 * one above. The client side (response deserializers) is left as it is.
 *
 * @internal Used by `startGrpcServer`.
 */
export function withRequestLimits(service: ServiceDefinition, limits: RequestDecodingLimits): ServiceDefinition {
  const out: ServiceDefinition = { ...service };
  for (const [method, def] of Object.entries(service)) {
    const typeName = (def.requestType.type as { name?: unknown }).name;
    if (typeof typeName !== "string") throw new Error(`tango.v1.Device/${method} has no request type name`);
    out[method] = { ...def, requestDeserialize: requestDecoder(typeName, method, limits) };
  }
  return out;
}
