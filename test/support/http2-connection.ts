import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { deviceMethods, type CallError, type ChannelTarget, type Method } from "../../src/client/connection.js";
import { channelSecurityOf } from "../../src/client/tls-options.js";
import { Http2Connection } from "../../src/client/transport/http2-connection.js";

/** Info's method, with the server-side serializers the proto loader also gives. */
export const INFO = deviceMethods().Info as Method & { responseSerialize: (v: object) => Buffer; requestDeserialize: (b: Buffer) => object };

/** The client metadata of these connections. */
export const METADATA = ((): grpc.Metadata => {
  const md = new grpc.Metadata();
  md.set("tango-client-pid", "4242");
  md.set("tango-client-host", "testhost");
  return md;
})();

/** A connection of the http2 transport to a plaintext `host:port`. */
export function http2Connection(address: string, opts: { maxMessageBytes?: number; keepalive?: { timeMs: number; timeoutMs: number } } = {}): Http2Connection {
  const target: ChannelTarget = { address, security: channelSecurityOf("127.0.0.1", false, undefined) };
  return new Http2Connection(target, { maxMessageBytes: opts.maxMessageBytes ?? 1 << 20, metadata: METADATA, ...(opts.keepalive === undefined ? {} : { keepalive: opts.keepalive }) });
}

/** How `p` failed, as a CallError. */
export async function callError(p: Promise<unknown>): Promise<CallError> {
  const err = await p.then(() => expect.fail("the call succeeded"), (e: unknown) => e);
  expect(err).to.be.instanceOf(Error).with.property("code").that.is.a("number");
  return err as CallError;
}
