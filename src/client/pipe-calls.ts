import {
  DevFailed, PipeBlobBuilder, Reason, isPipeBlob, pipeBlob, validatePipeBlob, type DevErrorInit, type PipeBlob,
  type PipeConfig, type PipeConfigUpdate, type PipeRecord, type PipeValue,
} from "../core/index.js";
import {
  decodePipeConfig, decodePipeValue, encodePipeBlob, encodePipeConfigUpdate, type ArrayEncoding,
  type WirePipeConfigReply, type WirePipeValue,
} from "../grpc/wire.js";
import { ClientErrors } from "./client-errors.js";
import type { Operation } from "./invoker.js";
import { op } from "./proxy-operations.js";
import type { CallOptions } from "./types.js";
import { decodingReply, framed } from "./value-input.js";

/*
 * The pipe calls of DeviceProxy (spec §8): read_pipe, write_pipe, write_read_pipe,
 * get_pipe_config, set_pipe_config, with cppTango's client frames and checks.
 */

/** A pipe as read (cppTango's `DevicePipe`, PyTango's `read_pipe` result). */
export interface DevicePipe extends PipeValue {
  /** `time` as a Date (millisecond precision). */
  readonly date: Date;
}

/**
 * What `writePipe` takes: a PipeBlob, a builder (`pipeBlob("b").add(...)`), or a record of data
 * elements whose types are inferred (`{ x: 1.5, label: "a" }`: see PipeRecordValue), sent as a
 * blob without a name.
 */
export type PipeInput = PipeBlob | PipeBlobBuilder | PipeRecord;

/** What the pipe calls need of their proxy. @internal */
export interface PipeCallsHost {
  readonly device: string;
  readonly arrayEncoding: ArrayEncoding;
  invoke<Res>(method: string, fields: object, operation: Operation, opts: CallOptions | undefined): Promise<Res>;
}

const OPS = {
  read: op("read_pipe", true), write: op("write_pipe", false), writeRead: op("write_read_pipe", false),
  getConfig: op("get_pipe_config", true), setConfig: op("set_pipe_config", false),
} as const;

/**
 * cppTango's frame on top of a failed pipe read or write (DeviceProxy::read_pipe() & co), the
 * server's refusal or the client's own failure (server down, timeout) alike. The blob checks
 * before the call have none, as in cppTango.
 */
function pipeFailedFrame(operation: string, device: string, pipe: string): DevErrorInit {
  return { reason: Reason.PipeFailed, desc: `Failed to ${operation} on device ${device}, pipe ${pipe}`, origin: `DeviceProxy::${operation}()` };
}

/**
 * The blob to send, checked as cppTango's client does before anything goes out: an empty blob is
 * API_PipeNoDataElement "No data in pipe!", duplicated names API_PipeDuplicateDEName, and a value
 * that does not fit its type API_PipeWrongArg.
 */
export function blobOf(input: PipeInput, operation: string): PipeBlob {
  const origin = `DeviceProxy::${operation}()`;
  const isBuilder = input instanceof PipeBlobBuilder;
  const isBlob = !isBuilder && isPipeBlob(input);
  const isEmpty = isBuilder ? false : isBlob ? input.elements.length === 0 : Object.keys(input).length === 0;
  if (isEmpty) throw DevFailed.of(Reason.PipeNoDataElement, "No data in pipe!", origin);
  const blob = isBuilder ? input.build() : isBlob ? input : pipeBlob("", input as PipeRecord).build();
  return validatePipeBlob(blob, origin);
}

function devicePipeOf(v: PipeValue): DevicePipe {
  return { ...v, date: new Date(v.time.sec * 1000 + Math.floor(v.time.usec / 1000)) };
}

/** The pipe calls of one proxy. @internal */
export class PipeCalls {
  readonly #host: PipeCallsHost;

  constructor(host: PipeCallsHost) {
    this.#host = host;
  }

  async readPipe(name: string, opts?: CallOptions): Promise<DevicePipe> {
    const h = this.#host;
    const reply = await framed(pipeFailedFrame("read_pipe", h.device, name),
      () => h.invoke<WirePipeValue>("ReadPipe", { name, array_encoding: h.arrayEncoding }, OPS.read, opts));
    return decodingReply(h.device, "read_pipe", () => devicePipeOf(decodePipeValue(reply)));
  }

  async writePipe(name: string, input: PipeInput, opts?: CallOptions): Promise<void> {
    const h = this.#host;
    const blob = encodePipeBlob(blobOf(input, "write_pipe"), h.arrayEncoding);
    await framed(pipeFailedFrame("write_pipe", h.device, name), () => h.invoke("WritePipe", { name, blob }, OPS.write, opts));
  }

  async writeReadPipe(name: string, input: PipeInput, opts?: CallOptions): Promise<DevicePipe> {
    const h = this.#host;
    const blob = encodePipeBlob(blobOf(input, "write_read_pipe"), h.arrayEncoding);
    const reply = await framed(pipeFailedFrame("write_read_pipe", h.device, name),
      () => h.invoke<WirePipeValue>("WriteReadPipe", { name, blob, array_encoding: h.arrayEncoding }, OPS.writeRead, opts));
    return decodingReply(h.device, "write_read_pipe", () => devicePipeOf(decodePipeValue(reply)));
  }

  async getPipeConfig(names: readonly string[], opts?: CallOptions): Promise<PipeConfig[]> {
    const reply = await this.#host.invoke<WirePipeConfigReply>("GetPipeConfig", { names }, OPS.getConfig, opts);
    return reply.configs.map(decodePipeConfig);
  }

  async setPipeConfig(updates: readonly PipeConfigUpdate[], opts?: CallOptions): Promise<void> {
    await this.#host.invoke("SetPipeConfig", { configs: updates.map(encodePipeConfigUpdate) }, OPS.setConfig, opts);
  }

  /** One configuration, by name; none back is a broken reply. */
  static single(configs: readonly PipeConfig[], name: string): PipeConfig {
    const [config] = configs;
    if (config === undefined) throw ClientErrors.methodArgument(`No configuration came back for pipe ${name}`, "DeviceProxy::get_pipe_config");
    return config;
  }
}
