import type { PipeBlob, PipeConfig, PipeConfigUpdate, PipeValue } from "../core/index.js";
import { readPipeOf, writePipeOf, writeReadPipeOf } from "../device/index.js";
import { Operation } from "../metrics/index.js";
import { Right } from "./access/access-policy.js";
import type { DeviceServer } from "./device-server.js";
import { changePipeConfig, pipeConfigs } from "./pipe-config.js";
import type { CallContext } from "./request-api.js";
import { record, type RequestSteps } from "./request-steps.js";

/**
 * The pipe operations of the request API (spec §8), in cppTango's order (Device_5Impl::*_pipe_5):
 * blackbox, access, lock, monitor, device, then the device's pipe pipeline (src/device/pipe-exec.ts).
 */
export class PipeRequests {
  readonly #server: DeviceServer;
  readonly #steps: RequestSteps;

  constructor(server: DeviceServer, steps: RequestSteps) {
    this.#server = server;
    this.#steps = steps;
  }

  async getPipeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<PipeConfig[]> {
    return this.#steps.run(device, Operation.get_pipe_config, async (entry) => {
      record(entry, ctx, "Operation", "get_pipe_config_5", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the pipe configuration");
      return pipeConfigs(this.#server.liveDevice(entry), names);
    });
  }

  async setPipeConfig(ctx: CallContext, device: string, updates: readonly PipeConfigUpdate[]): Promise<void> {
    return this.#steps.run(device, Operation.set_pipe_config, async (entry) => {
      record(entry, ctx, "Operation", "set_pipe_config_5", true);
      this.#steps.allow(ctx, entry, Right.WRITE, "Setting the pipe configuration");
      this.#steps.checkLock(ctx, entry, "set_pipe_config_5");
      await this.#server.serialize(entry.monitor ?? entry.writeMonitor,
        async () => { changePipeConfig(this.#server.liveDevice(entry), updates); }, entry.metrics.serializationWait);
    });
  }

  async readPipe(ctx: CallContext, device: string, name: string): Promise<PipeValue> {
    return this.#steps.run(device, Operation.read_pipe, async (entry) => {
      record(entry, ctx, "Operation", `read_pipe_5 (${name})`, true);
      this.#steps.allow(ctx, entry, Right.READ, "Reading pipes");
      return await this.#server.serialize(entry.monitor,
        () => readPipeOf(this.#server.liveDevice(entry), name), entry.metrics.serializationWait);
    }, name);
  }

  async writePipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<void> {
    return this.#steps.run(device, Operation.write_pipe, async (entry) => {
      record(entry, ctx, "Operation", `write_pipe_5 (${name})`, true);
      this.#steps.allow(ctx, entry, Right.WRITE, "Writing pipes");
      this.#steps.checkLock(ctx, entry, "write_pipe_5");
      await this.#server.serialize(entry.monitor ?? entry.writeMonitor,
        () => writePipeOf(this.#server.liveDevice(entry), name, blob), entry.metrics.serializationWait);
    }, name);
  }

  async writeReadPipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<PipeValue> {
    return this.#steps.run(device, Operation.write_read_pipe, async (entry) => {
      record(entry, ctx, "Operation", `write_read_pipe_5 (${name})`, true);
      this.#steps.allow(ctx, entry, Right.WRITE, "Writing pipes");
      this.#steps.checkLock(ctx, entry, "write_read_pipe_5");
      return await this.#server.serialize(entry.monitor ?? entry.writeMonitor,
        () => writeReadPipeOf(this.#server.liveDevice(entry), name, blob), entry.metrics.serializationWait);
    }, name);
  }
}
