import {
  AttrDataFormat, AttrQuality, CmdArgType, DevFailed, DevState, DispLevel, MultiDevFailed, PipeWriteType, TangoErrors, coerce,
  type AttributeConfig, type AttributeConfigUpdate, type AttributeValue, type AttributeWrite, type CommandInfo,
  type CommandHistoryRecord, type DeviceInfo, type EventType, type PipeBlob, type PipeConfig, type PipeConfigUpdate,
  type PipeValue, type TypedValue,
} from "../../src/core/index.js";
import type { CallContext, EventSink, ReadOptions, RequestApi, Subscription } from "../../src/server/index.js";

/**
 * A hand-written RequestApi for adapter tests. One device, `test/fake/1`:
 * - command `Echo` returns its argin (typed), `Fail` throws a DevFailed, `Crash` throws a
 *   TypeError (a bug), `Wait` resolves when the call's signal aborts (bounded by 5 s);
 * - attribute `double_spectrum` reads a Float64Array, writes to `bad` fail with a MultiDevFailed;
 * - pipe `echo` (read-write) reads back the last blob written.
 * Every call's context is recorded in `calls`.
 */
export class FakeRequestApi implements RequestApi {
  readonly device = "test/fake/1";
  readonly calls: Array<{ method: string; ctx: CallContext; args: unknown[] }> = [];
  lastWrites: readonly AttributeWrite[] = [];
  lastConfigUpdates: readonly AttributeConfigUpdate[] = [];
  spectrum = Float64Array.from([1.5, -2, Number.NaN]);
  /** Resolves with the signal of a `Wait` call once it has started. */
  waitStarted: Promise<AbortSignal>;
  #startWait!: (s: AbortSignal) => void;

  constructor() {
    this.waitStarted = new Promise((resolve) => { this.#startWait = resolve; });
  }

  #record(method: string, ctx: CallContext, device: string, ...args: unknown[]): void {
    this.calls.push({ method, ctx, args: [device, ...args] });
    if (device.toLowerCase() !== this.device) throw TangoErrors.deviceNotFound(device);
  }

  async ping(ctx: CallContext, device: string): Promise<void> {
    this.#record("ping", ctx, device);
  }

  async info(ctx: CallContext, device: string): Promise<DeviceInfo> {
    this.#record("info", ctx, device);
    return {
      devClass: "Fake", serverId: "Fake/test", serverHost: "localhost", serverVersion: 5,
      docUrl: "Doc URL = http://www.tango-controls.org", devType: "Uninitialised",
      versionInfo: { "tango-grpc": "0.1.0", node: process.version }, description: "A TANGO device",
      admName: "dserver/Fake/test",
    };
  }

  async state(ctx: CallContext, device: string): Promise<DevState> {
    this.#record("state", ctx, device);
    return DevState.MOVING;
  }

  async status(ctx: CallContext, device: string): Promise<string> {
    this.#record("status", ctx, device);
    return "The device is in MOVING state.";
  }

  async blackBox(ctx: CallContext, device: string, n: number): Promise<string[]> {
    this.#record("blackBox", ctx, device, n);
    if (n <= 0) throw TangoErrors.blackBoxArgument();
    return ["record"];
  }

  async commandInout(ctx: CallContext, device: string, command: string, argin: TypedValue | undefined,
    opts?: ReadOptions): Promise<TypedValue> {
    this.#record("commandInout", ctx, device, command, argin, opts);
    switch (command) {
      case "Echo":
        if (argin === undefined) return { type: CmdArgType.DevVoid, value: undefined };
        return { type: argin.type, value: coerce(argin.type, argin.value) };
      case "Fail":
        throw new DevFailed([
          { reason: "PS_Overheated", desc: "Too hot: 95 °C", origin: "PowerSupply::On" },
          { reason: "API_CommandFailed", desc: "Command On failed", origin: "Device::command" },
        ]);
      case "Crash":
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      case "Wait":
        return await this.#wait(ctx);
      default:
        throw TangoErrors.commandNotFound(command);
    }
  }

  async #wait(ctx: CallContext): Promise<TypedValue> {
    const signal = ctx.signal;
    if (signal === undefined) throw new Error("no signal");
    this.#startWait(signal);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Wait was never aborted")), 5000);
      signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
    });
    return { type: CmdArgType.DevVoid, value: undefined };
  }

  async commandListQuery(ctx: CallContext, device: string): Promise<CommandInfo[]> {
    this.#record("commandListQuery", ctx, device);
    return [await this.commandQuery(ctx, device, "Echo")];
  }

  async commandQuery(ctx: CallContext, device: string, command: string): Promise<CommandInfo> {
    this.#record("commandQuery", ctx, device, command);
    return {
      name: command, level: DispLevel.EXPERT, inType: CmdArgType.DevVarDoubleArray,
      outType: CmdArgType.DevVarDoubleArray, inTypeDesc: "Uninitialised", outTypeDesc: "the same",
    };
  }

  #read(name: string): AttributeValue {
    const base = {
      name, quality: AttrQuality.ATTR_VALID, dataFormat: AttrDataFormat.SPECTRUM, dataType: CmdArgType.DevDouble,
      time: { sec: 1_700_000_000, usec: 250 }, rDim: { x: this.spectrum.length, y: 0 }, wDim: { x: 0, y: 0 },
    };
    if (name === "double_spectrum") return { ...base, value: this.spectrum };
    return { ...base, errors: TangoErrors.attrNotFound(name).errors };
  }

  async readAttributes(ctx: CallContext, device: string, names: readonly string[], opts?: ReadOptions): Promise<AttributeValue[]> {
    this.#record("readAttributes", ctx, device, names, opts);
    return names.map((n) => this.#read(n));
  }

  async writeAttributes(ctx: CallContext, device: string, values: readonly AttributeWrite[]): Promise<void> {
    this.#record("writeAttributes", ctx, device, values);
    this.lastWrites = values;
    const failed = values.flatMap((w, i) => (w.name === "bad"
      ? [{ name: w.name, indexInCall: i, errors: TangoErrors.attrNotWritable(w.name).errors }]
      : []));
    if (failed.length > 0) throw new MultiDevFailed(failed as [typeof failed[number], ...typeof failed]);
  }

  async writeReadAttributes(ctx: CallContext, device: string, values: readonly AttributeWrite[], names: readonly string[]): Promise<AttributeValue[]> {
    await this.writeAttributes(ctx, device, values);
    return this.readAttributes(ctx, device, names);
  }

  async getAttributeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<AttributeConfig[]> {
    this.#record("getAttributeConfig", ctx, device, names);
    return [];
  }

  async setAttributeConfig(ctx: CallContext, device: string, updates: readonly AttributeConfigUpdate[]): Promise<void> {
    this.#record("setAttributeConfig", ctx, device, updates);
    this.lastConfigUpdates = updates;
  }

  async getProperty(ctx: CallContext, device: string, names: readonly string[]): Promise<Array<{ name: string; values: string[] }>> {
    this.#record("getProperty", ctx, device, names);
    return names.map((name) => ({ name, values: name === "unset" ? [] : ["1", "two"] }));
  }

  async putProperty(ctx: CallContext, device: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<void> {
    this.#record("putProperty", ctx, device, props);
  }

  async deleteProperty(ctx: CallContext, device: string, names: readonly string[]): Promise<void> {
    this.#record("deleteProperty", ctx, device, names);
  }

  async readAttributeHistory(ctx: CallContext, device: string, attribute: string, n: number): Promise<AttributeValue[]> {
    this.#record("readAttributeHistory", ctx, device, attribute, n);
    throw TangoErrors.attrNotPolled(attribute);
  }

  async commandInoutHistory(ctx: CallContext, device: string, command: string, n: number): Promise<CommandHistoryRecord[]> {
    this.#record("commandInoutHistory", ctx, device, command, n);
    throw TangoErrors.cmdNotPolled(command);
  }

  async subscribeEvent(ctx: CallContext, device: string, attribute: string, type: EventType, _sink: EventSink): Promise<Subscription> {
    this.#record("subscribeEvent", ctx, device, attribute, type);
    throw TangoErrors.attributePollingNotStarted(attribute);
  }

  /** The last blob written to the fake's one pipe, `echo` (read-write). */
  pipeBlob: PipeBlob = { name: "echo", elements: [{ name: "hello", value: { type: CmdArgType.DevString, value: "world" } }] };

  async getPipeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<PipeConfig[]> {
    this.#record("getPipeConfig", ctx, device, names);
    return [{ name: "echo", label: "echo", description: "No description", level: DispLevel.OPERATOR, writable: PipeWriteType.PIPE_READ_WRITE }];
  }

  async setPipeConfig(ctx: CallContext, device: string, updates: readonly PipeConfigUpdate[]): Promise<void> {
    this.#record("setPipeConfig", ctx, device, updates);
  }

  async readPipe(ctx: CallContext, device: string, name: string): Promise<PipeValue> {
    this.#record("readPipe", ctx, device, name);
    return { name: "echo", time: { sec: 1, usec: 2 }, blob: this.pipeBlob };
  }

  async writePipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<void> {
    this.#record("writePipe", ctx, device, name, blob);
    this.pipeBlob = blob;
  }

  async writeReadPipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<PipeValue> {
    await this.writePipe(ctx, device, name, blob);
    return await this.readPipe(ctx, device, name);
  }
}
