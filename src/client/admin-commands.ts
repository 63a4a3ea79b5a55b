import { DevSource, coerce, type DevFailed, type TypedValue } from "../core/index.js";
import { decodeValue, encodeValue, type ArrayEncoding, type WireCommandInoutReply } from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import type { Operation } from "./invoker.js";
import { op } from "./proxy-operations.js";
import type { CallOptions } from "./types.js";
import { decodingReply } from "./value-input.js";

/** What AdminCommands needs of its proxy. @internal */
export interface AdminCommandsHost {
  readonly arrayEncoding: ArrayEncoding;
  /** The name of the device's admin device (from its info). */
  adminName(opts?: CallOptions): Promise<string>;
  /** Sends a tango.v1.Device request on the proxy's connection, with the proxy's rules. */
  invoke<Res>(
    method: string, fields: object, operation: Operation, opts: CallOptions | undefined,
    onServerError: (df: DevFailed) => DevFailed,
  ): Promise<Res>;
}

/**
 * Commands of a device's admin device sent on its proxy's own connection (the request names the
 * admin device), so that they carry the proxy's identity and a lock they take ends with that
 * connection: the lock commands of spec §10.8.
 *
 * @internal
 */
export class AdminCommands {
  readonly #host: AdminCommandsHost;
  #admName: string | undefined;

  constructor(host: AdminCommandsHost) {
    this.#host = host;
  }

  /** Runs `command` with `argin`; resolves to its argout, or rejects with API_CommandFailed on top of the server's stack. */
  async run(command: string, argin: TypedValue, opts?: CallOptions): Promise<unknown> {
    const admName = this.#admName ?? await this.#host.adminName(opts);
    this.#admName = admName;
    const label = `command ${command}`;
    const { arrayEncoding } = this.#host;
    const reply = await this.#host.invoke<WireCommandInoutReply>("CommandInout", {
      device: admName, command, argin: encodeValue(argin, arrayEncoding), source: DevSource.DEV, array_encoding: arrayEncoding,
    }, op(label, command === "DevLockStatus"), opts, (df) => df.withFrame(ClientErrors.commandFailedFrame(admName, command)));
    return decodingReply(admName, label, () => {
      const out = decodeValue(reply.argout);
      return coerce(out.type, out.value);
    });
  }
}
