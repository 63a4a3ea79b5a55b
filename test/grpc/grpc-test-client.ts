import { Writable } from "node:stream";
import { Client, Metadata, credentials, type ServiceError, type status } from "@grpc/grpc-js";
import { expect } from "chai";
import { DevFailed } from "../../src/core/index.js";
import { fromGrpcError, type GrpcServerTransport } from "../../src/grpc/index.js";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { pino, type Logger } from "pino";

/** A pino logger whose JSON lines land in `lines` (pino's test/helper.js sink). */
export function createTestLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

/** A plain grpc-js client on 127.0.0.1:port, with the message limits the real client will use. */
export function createClient(port: number): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc-node.flow_control_window": 1024 * 1024,
  });
}

/** Options of one test call. */
export interface CallOpts {
  readonly metadata?: Metadata;
  readonly deadlineMs?: number;
  /** Cancels the call when aborted. */
  readonly signal?: AbortSignal;
}

/** One unary call through the service definition's own (de)serializers. */
export function unary<Res>(client: Client, service: ServiceDefinition, method: string, req: object,
  opts: CallOpts = {}): Promise<Res> {
  const def = service[method];
  if (def === undefined) throw new TypeError(`no method ${method}`);
  return new Promise<Res>((resolve, reject) => {
    const call = client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, opts.metadata ?? new Metadata(),
      opts.deadlineMs === undefined ? {} : { deadline: Date.now() + opts.deadlineMs },
      (err, res) => {
        if (err) reject(err);
        else resolve(res as Res);
      });
    opts.signal?.addEventListener("abort", () => call.cancel(), { once: true });
  });
}

/** Awaits a call that must fail and returns its error. */
export async function expectServiceError(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error("the call succeeded, a failure was expected");
}

/** Awaits a call that must fail with gRPC status `code` and a DevFailed of `reason` in its details; returns the DevFailed. */
export async function expectDevFailed(p: Promise<unknown>, code: status, reason: string): Promise<DevFailed> {
  const err = await expectServiceError(p);
  expect(err.code, err.details).to.equal(code);
  const df = fromGrpcError(err);
  expect(df).to.be.instanceOf(DevFailed);
  expect((df as DevFailed).reason).to.equal(reason);
  return df as DevFailed;
}

/** Both HTTP/2 servers under gRPC: the suites that test the server's transport run on each. */
export const SERVER_TRANSPORTS = ["http2", "grpc-js"] as const satisfies readonly GrpcServerTransport[];
