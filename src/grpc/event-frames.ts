import type protobuf from "protobufjs";
import type { EventRecord } from "../core/index.js";
import { encodeEvent } from "./event-codec.js";
import { fastRoot } from "./fast-codec.js";
import { tangoProtoFile } from "./proto.js";
import type { WireEventStreamMessage } from "./wire-messages.js";
import type { ArrayEncoding } from "./wire-types.js";

/*
 * tango.v1.EventStreamMessage built from parts. Protobuf messages concatenate: the bytes of a
 * message holding one event, then another, make a message holding both, and a `missed` count or a
 * `subscribed` part can be added the same way. So each event is encoded once, whatever the number
 * of its subscribers, and a subscriber's message is the concatenation of its parts (DESIGN §8, §9).
 */

let messageType: protobuf.Type | undefined;

function streamMessage(): protobuf.Type {
  messageType ??= fastRoot(tangoProtoFile()).lookupType("tango.v1.EventStreamMessage");
  return messageType;
}

function encodePart(fields: object): Buffer {
  // The codec's plain objects have the types protobufjs's encoder takes (numbers and enums as
  // numbers, 64-bit integers as decimal strings, bytes as Uint8Array): no fromObject pass.
  const bytes = streamMessage().encode(fields).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One event as a stream message of its own; concatenated parts make one message. */
export function encodeEventPart(record: EventRecord, encoding: ArrayEncoding): Buffer {
  return encodePart({ events: [encodeEvent(record, encoding)] });
}

/** The `missed` count as a part. */
export function encodeMissedPart(missed: number): Buffer {
  return encodePart({ missed });
}

/** A heartbeat message. */
export function encodeHeartbeat(timeMs: number): Buffer {
  const sec = Math.floor(timeMs / 1000);
  return encodePart({ heartbeat: { time: { tv_sec: sec, tv_usec: Math.round((timeMs - sec * 1000) * 1000), tv_nsec: 0 } } });
}

/** The subscription confirmation as a part. */
export function encodeSubscribedPart(heartbeatMs: number, queueDepth: number): Buffer {
  return encodePart({ subscribed: { heartbeat_ms: heartbeatMs, queue_depth: queueDepth } });
}

/**
 * Decodes a stream message (the client side). The result is protobufjs's message itself, not
 * a converted copy (a client decodes every event): its fields have proto-loader's names and
 * defaults, 64-bit integers are WireLongs (read with int64ToNumber / int64ToBigInt), and unset
 * messages are null. Throws on malformed bytes.
 */
export function decodeEventStreamMessage(bytes: Uint8Array): WireEventStreamMessage {
  return streamMessage().decode(bytes) as unknown as WireEventStreamMessage;
}
