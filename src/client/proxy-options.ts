import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Metadata } from "@grpc/grpc-js";
import { ArrayEncoding, CLIENT_METADATA } from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import type { DeviceProxyOptions } from "./types.js";

/** A valid timeout: positive milliseconds, or Infinity for none. Throws API_MethodArgument. */
export function checkTimeout(ms: number): number {
  if (ms === Infinity || (Number.isFinite(ms) && ms > 0)) return ms;
  throw ClientErrors.methodArgument(
    `A timeout is a positive number of milliseconds, or Infinity for none; got ${String(ms)}`, "DeviceProxy::set_timeout_millis");
}

/** The wire encoding for DeviceProxyOptions.arrayEncoding. Throws API_MethodArgument. */
export function arrayEncodingOf(name: string | undefined): ArrayEncoding {
  if (name === undefined || name === "bytes") return ArrayEncoding.BYTES;
  if (name === "packed") return ArrayEncoding.PACKED;
  throw ClientErrors.methodArgument(
    `arrayEncoding is "bytes" or "packed"; got ${JSON.stringify(name)}`, "DeviceProxy::DeviceProxy");
}

/**
 * The id a proxy sends as `tango-client-proxy`: the one its options give, else a new random one,
 * so that two proxies of one process (or two processes with one PID in two containers) are two
 * lock owners.
 */
export function proxyIdOf(options: DeviceProxyOptions): string {
  const given = options.identity?.proxyId;
  if (given === undefined) return randomUUID();
  if (given.length > 0 && given.length <= 255 && /^[\x21-\x7e]+$/.test(given)) return given;
  throw ClientErrors.methodArgument(
    `identity.proxyId is 1 to 255 printable ASCII characters without spaces; got ${JSON.stringify(given)}`, "DeviceProxy::DeviceProxy");
}

/**
 * The metadata every call carries: who the client is (spec §10.7) with the proxy's id, and its
 * bearer token (DeviceProxyOptions.token).
 */
export function identityMetadata(options: DeviceProxyOptions, proxyId: string): Metadata {
  const id = options.identity;
  const md = new Metadata();
  md.set(CLIENT_METADATA.pid, String(id?.pid ?? process.pid));
  md.set(CLIENT_METADATA.host, id?.host ?? hostname());
  md.set(CLIENT_METADATA.language, id?.language ?? "TypeScript");
  md.set(CLIENT_METADATA.proxy, proxyId);
  const token = options.token ?? process.env.TANGO_TOKEN;
  if (token !== undefined && token !== "") md.set("authorization", `Bearer ${token}`);
  return md;
}
