import { CmdArgType, DevFailed, DevSource, Reason, TangoErrors } from "../core/index.js";
import type { DevState, EventType } from "../core/index.js";
import {
  ADMIN_DEVICE_DESCRIPTION, DEFAULT_DEVICE_DESCRIPTION, DEFAULT_DEV_TYPE, DEFAULT_DOC_URL, DOC_URL_PREFIX,
  SERVER_IDL_VERSION,
} from "../core/defaults.js";
import type {
  AttributeConfig, AttributeConfigUpdate, AttributeValue, AttributeWrite, CommandHistoryRecord, CommandInfo, DeviceInfo,
  PipeBlob, PipeConfig, PipeConfigUpdate, PipeValue, TypedValue,
} from "../core/index.js";
import { executeCommandOf, readAttributesOf, runtimeOf, writeAttributesOf, type Device } from "../device/index.js";
import { PipeRequests } from "./pipe-requests.js";
import { RequestSteps, record } from "./request-steps.js";
import { attributeConfigs, commandInfo, commandList, stateConfig } from "./device-descriptions.js";
import type { EventSink, Subscription } from "./events/subscription.js";
import { readFromCache, commandFromCacheOrDevice } from "./polling/cache-requests.js";
import { attributeHistory, commandHistory } from "./polling/poll-cache.js";
import { Operation } from "../metrics/index.js";
import type { CallChain } from "./call-chain.js";
import { changeAttributeConfig } from "./attribute-persistence.js";
import type { DeviceEntry } from "./device-entry.js";
import type { DeviceServer } from "./device-server.js";
import type { CallContext, ReadOptions, RequestApi } from "./request-api.js";
import { describeVersions } from "./versions.js";
import { commandRight } from "./access/access-check.js";
import { Right } from "./access/access-policy.js";

const ALL_ATTRIBUTES = new Set(["all attributes", "all attributes_3"]);
/** The caller of Device.readAttributes: the device's own code, "user thread" in the blackbox. */
const OWN_READ: CallContext = { client: { host: "localhost", peer: "in-process" }, transport: "internal", origin: "user thread" };
/** The caller of polling requests: "requested from polling" in the blackbox (spec §11.2). */
const POLLING: CallContext = { client: { host: "localhost", peer: "in-process" }, transport: "internal", origin: "polling" };

/**
 * The request-reply protocol in process (DESIGN §1): each operation records the blackbox, takes
 * the serialization monitor, finds the device and runs the device pipeline, in the order of spec
 * §5.2 and §6.4. Adapters call this and know nothing of Tango's rules.
 *
 * Each operation also feeds the device's metrics (src/metrics, exported at scrape time): the
 * request on arrival, every error it throws (caught only to count and rethrow), the monitor wait,
 * and the pipeline's per-command and per-attribute times.
 */
export class RequestHandler implements RequestApi {
  readonly #server: DeviceServer;
  readonly #steps: RequestSteps;
  readonly #pipes: PipeRequests;

  constructor(server: DeviceServer) {
    this.#server = server;
    this.#steps = new RequestSteps(server);
    this.#pipes = new PipeRequests(server, this.#steps);
  }

  #commandRight(ctx: CallContext, entry: DeviceEntry, command: string): Right {
    if (ctx.principal === undefined) return Right.NONE;
    const isAdminDevice = entry.className === "DServer";
    // On a user device no command needs more than WRITE: a caller who has it passes, so the
    // command's own right (a property lookup, a closure and two strings per call) is not asked.
    if (!isAdminDevice && ctx.principal.rightOn(entry.name) >= Right.WRITE) return Right.WRITE;
    return commandRight(isAdminDevice, command, () => this.#server.properties.get(`class:${entry.className}`, "AllowedAccessCmd"));
  }

  // The requests served most often return steps.run's promise as it is: an `async` wrapper adds a
  // promise and its resolution per call (bench/profile-request-path.ts --alloc).
  ping(ctx: CallContext, device: string): Promise<void> {
    return this.#steps.run(device, Operation.ping, async (entry) => {
      record(entry, ctx, "Operation", "ping", false);
      this.#steps.allow(ctx, entry, Right.READ, "Ping");
      this.#server.liveDevice(entry);
    });
  }

  async info(ctx: CallContext, device: string): Promise<DeviceInfo> {
    return this.#steps.run(device, Operation.info, async (entry) => {
      record(entry, ctx, "Operation", "info_3", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the information");
      const dev = this.#server.liveDevice(entry);
      const s = this.#server;
      const classUrl = s.properties.get(`class:${entry.className}`, "doc_url")?.[0];
      return {
        devClass: entry.className, serverId: s.serverId, serverHost: s.hostName, serverVersion: SERVER_IDL_VERSION,
        docUrl: `${DOC_URL_PREFIX}${classUrl ?? DEFAULT_DOC_URL}`, devType: DEFAULT_DEV_TYPE,
        versionInfo: describeVersions(), description: this.#description(entry, dev), admName: s.adminName,
      };
    });
  }

  #description(entry: DeviceEntry, dev: Device): string {
    if (entry.className === "DServer") return ADMIN_DEVICE_DESCRIPTION;
    return dev.getProperty("description")?.join("\n") ?? DEFAULT_DEVICE_DESCRIPTION;
  }

  state(ctx: CallContext, device: string): Promise<DevState> {
    return this.#steps.run(device, Operation.state, async (entry) => {
      record(entry, ctx, "Attribute", "state", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the state");
      return await this.#server.serialize(entry.monitor, async () => {
        const dev = this.#server.liveDevice(entry);
        await dev.alwaysExecutedHook();
        return dev.devState();
      }, entry.metrics.serializationWait);
    });
  }

  status(ctx: CallContext, device: string): Promise<string> {
    return this.#steps.run(device, Operation.status, async (entry) => {
      record(entry, ctx, "Attribute", "status", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the status");
      return await this.#server.serialize(entry.monitor, async () => {
        const dev = this.#server.liveDevice(entry);
        await dev.alwaysExecutedHook();
        return dev.devStatus();
      }, entry.metrics.serializationWait);
    });
  }

  async blackBox(ctx: CallContext, device: string, n: number): Promise<string[]> {
    return this.#steps.run(device, Operation.black_box, async (entry) => {
      this.#server.liveDevice(entry);
      if (ctx.principal !== undefined && ctx.principal.rightOn(entry.name) < Right.READ) {
        record(entry, ctx, "Operation", "blackbox", false);
        this.#steps.allow(ctx, entry, Right.READ, "Reading the blackbox");
      }
      // spec §10.7 item 4: the blackbox call is recorded after the read, never in its own result.
      try {
        return entry.blackbox.read(n);
      } finally {
        record(entry, ctx, "Operation", "blackbox", false);
      }
    });
  }

  commandInout(ctx: CallContext, device: string, command: string, argin: TypedValue | undefined, opts?: ReadOptions): Promise<TypedValue> {
    return this.#steps.run(device, Operation.command_inout, async (entry) => {
      const source = opts?.source ?? DevSource.DEV;
      record(entry, ctx, "Operation", `command_inout_4 (cmd = ${command})`, true, source);
      this.#steps.allow(ctx, entry, this.#commandRight(ctx, entry, command), `Command ${command}`);
      this.#steps.checkLock(ctx, entry, "command_inout4", command);
      const isInit = command.toLowerCase() === "init";
      // Init of a hung user device frees its monitor first, else Init would wait behind the hung handler.
      const isHung = isInit && entry.className !== "DServer" && this.#server.recoverHung(entry);
      const execute = (): Promise<TypedValue> => this.#server.serialize(entry.monitor, (chain) => {
        const dev = this.#server.liveDevice(entry);
        if (isInit) return this.#init(entry, dev, argin, chain, isHung);
        const run = (): Promise<TypedValue> => executeCommandOf(dev, command, argin, entry.metrics);
        // The admin device's commands read their caller (ServerLocks.caller): the lock commands, and those acting on a locked device.
        return entry.className === "DServer" ? this.#server.locks.runAs(ctx, run) : run();
      }, entry.metrics.serializationWait);
      if (source === DevSource.DEV) return await execute();
      return await commandFromCacheOrDevice(this.#server.polling, entry, this.#server.liveDevice(entry), command, source, execute);
    }, command);
  }

  /** A command run by the polling: through the monitor, recorded "from device requested from polling". */
  async pollCommand(entry: DeviceEntry, command: string): Promise<TypedValue> {
    return this.#steps.run(entry, Operation.command_inout, async () => {
      record(entry, POLLING, "Operation", `command_inout_4 (cmd = ${command})`, true, DevSource.DEV);
      return await this.#server.serialize(entry.monitor,
        async () => executeCommandOf(this.#server.liveDevice(entry), command, undefined, entry.metrics), entry.metrics.serializationWait);
    }, command);
  }

  /** Init (spec §9.4), run by the server rather than the device pipeline, timed as a command. */
  async #init(entry: DeviceEntry, dev: Device, argin: TypedValue | undefined, chain: CallChain, isHung: boolean): Promise<TypedValue> {
    const startMs = performance.now();
    try {
      await dev.alwaysExecutedHook();
      if (argin !== undefined && argin.value !== undefined) throw TangoErrors.incompatibleCmdArgumentType(CmdArgType.DevVoid);
      if (entry.className === "DServer") await this.#server.restartAll(chain);
      else await this.#server.reinit(entry, isHung);
      return { type: CmdArgType.DevVoid, value: undefined };
    } finally {
      entry.metrics.observeCommand("Init", (performance.now() - startMs) / 1000);
    }
  }

  async commandListQuery(ctx: CallContext, device: string): Promise<CommandInfo[]> {
    return this.#steps.run(device, Operation.command_list_query, async (entry) => {
      record(entry, ctx, "Operation", "command_list_query_2", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the command list");
      return commandList(this.#server.liveDevice(entry));
    });
  }

  async commandQuery(ctx: CallContext, device: string, command: string): Promise<CommandInfo> {
    return this.#steps.run(device, Operation.command_query, async (entry) => {
      record(entry, ctx, "Operation", "command_query_2", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the command list");
      const c = runtimeOf(this.#server.liveDevice(entry)).command(command);
      if (c === undefined) throw TangoErrors.commandNotFound(command, "Device_2Impl::command_query_2");
      return commandInfo(c.name, c);
    });
  }

  readAttributes(ctx: CallContext, device: string, names: readonly string[], opts?: ReadOptions): Promise<AttributeValue[]> {
    return this.#steps.run(device, Operation.read_attributes, async (entry) => {
      const source = opts?.source ?? DevSource.DEV;
      record(entry, ctx, "Operation", `read_attributes_5 (${names.join(", ")})`, true, source);
      this.#steps.allow(ctx, entry, Right.READ, "Reading attributes");
      const fromDevice = (list: readonly string[]): Promise<AttributeValue[]> => this.#server.serialize(entry.monitor,
        () => readAttributesOf(this.#server.liveDevice(entry), list, entry.metrics), entry.metrics.serializationWait);
      const values = source === DevSource.DEV ? await fromDevice(names)
        : await readFromCache(this.#server.polling, entry, this.#server.liveDevice(entry), names, source, fromDevice);
      entry.metrics.countReadErrors(values);
      return values;
    }, names);
  }

  /** Attributes read by the polling: through the monitor, recorded "from device requested from polling" (spec §11.2). */
  async pollAttributes(entry: DeviceEntry, names: readonly string[]): Promise<AttributeValue[]> {
    return this.#steps.run(entry, Operation.read_attributes, async () => {
      record(entry, POLLING, "Operation", `read_attributes_5 (${names.join(", ")})`, true, DevSource.DEV);
      const values = await this.#server.serialize(entry.monitor,
        () => readAttributesOf(this.#server.liveDevice(entry), names, entry.metrics), entry.metrics.serializationWait);
      entry.metrics.countReadErrors(values);
      return values;
    }, names);
  }

  /**
   * A device reading its own attributes (Device.readAttributes): recorded and counted as a read,
   * run through the read pipeline, but without the device's monitor. Called from the device's
   * own request, that request holds the monitor already; from a background task, it runs beside
   * client requests as the task's other code does (in cppTango a device's own threads read its
   * attributes directly, outside the monitor).
   */
  async readOwnAttributes(device: string, names: readonly string[]): Promise<AttributeValue[]> {
    return this.#steps.run(device, Operation.read_attributes, async (entry) => {
      record(entry, OWN_READ, "Operation", `read_attributes_5 (${names.join(", ")})`, true, DevSource.DEV);
      const values = await readAttributesOf(this.#server.liveDevice(entry), names, entry.metrics);
      entry.metrics.countReadErrors(values);
      return values;
    }, names);
  }

  writeAttributes(ctx: CallContext, device: string, values: readonly AttributeWrite[]): Promise<void> {
    return this.#steps.run(device, Operation.write_attributes, async (entry) => {
      record(entry, ctx, "Operation", `write_attributes_4 (${values.map((v) => v.name).join(", ")})`, true);
      this.#steps.allow(ctx, entry, Right.WRITE, "Writing attributes");
      this.#steps.checkLock(ctx, entry, "write_attributes_4");
      // spec §10.6: writes take the per-device lock even in NO_SYNC.
      await this.#server.serialize(entry.monitor ?? entry.writeMonitor,
        () => writeAttributesOf(this.#server.liveDevice(entry), values, entry.metrics), entry.metrics.serializationWait);
    }, values);
  }

  async writeReadAttributes(ctx: CallContext, device: string, values: readonly AttributeWrite[], names: readonly string[]): Promise<AttributeValue[]> {
    return this.#steps.run(device, Operation.write_read_attributes, async (entry) => {
      record(entry, ctx, "Operation", `write_read_attributes_5 (${values.map((v) => v.name).join(", ")} / ${names.join(", ")})`, true);
      this.#steps.allow(ctx, entry, Right.WRITE, "Writing attributes");
      this.#steps.checkLock(ctx, entry, "write_read_attributes_5");
      const read = await this.#server.serialize(entry.monitor ?? entry.writeMonitor, async () => {
        const dev = this.#server.liveDevice(entry);
        await writeAttributesOf(dev, values, entry.metrics);
        return await readAttributesOf(dev, names, entry.metrics);
      }, entry.metrics.serializationWait);
      entry.metrics.countReadErrors(read);
      return read;
    }, values);
  }

  async getAttributeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<AttributeConfig[]> {
    return this.#steps.run(device, Operation.get_attribute_config, async (entry) => {
      record(entry, ctx, "Operation", "get_attribute_config_5", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the attribute configuration");
      const dev = this.#server.liveDevice(entry);
      const rt = runtimeOf(dev);
      if (names.length === 0 || (names.length === 1 && ALL_ATTRIBUTES.has((names[0] ?? "").toLowerCase()))) {
        return attributeConfigs(dev);
      }
      return names.map((n) => {
        const lower = n.toLowerCase();
        if (lower === "state" || lower === "status") return stateConfig(lower === "state");
        const a = rt.attribute(n);
        if (a === undefined) throw TangoErrors.attrNotFound(n, "MultiAttribute::get_attr_by_name");
        return a.config();
    });
    });
  }

  async setAttributeConfig(ctx: CallContext, device: string, updates: readonly AttributeConfigUpdate[]): Promise<void> {
    return this.#steps.run(device, Operation.set_attribute_config, async (entry) => {
      record(entry, ctx, "Operation", "set_attribute_config_5", true);
      this.#steps.allow(ctx, entry, Right.WRITE, "Setting the attribute configuration");
      this.#steps.checkLock(ctx, entry, "set_attribute_config_5");
      await this.#server.serialize(entry.monitor ?? entry.writeMonitor, async () => {
        // Kept in the store before the reply (DESIGN §10); a refusal puts the configuration back.
        const targets = await changeAttributeConfig(this.#server.properties, entry, this.#server.liveDevice(entry), updates);
        // spec §12.1 item 3: every configuration change makes an attr_conf event
        this.#server.events.configChanged(entry, targets.map((a) => a.config()));
      }, entry.metrics.serializationWait);
    });
  }

  async getProperty(ctx: CallContext, device: string, names: readonly string[]): Promise<Array<{ name: string; values: string[] }>> {
    return this.#steps.run(device, Operation.get_property, async (entry) => {
      record(entry, ctx, "Operation", "get_property", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading properties");
      const store = this.#server.properties;
      if (names.length === 0) return store.list(entry.name).map((p) => ({ name: p.name, values: [...p.values] }));
      return names.map((n) => ({ name: n, values: [...(store.get(entry.name, n) ?? [])] }));
    });
  }

  async putProperty(ctx: CallContext, device: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): Promise<void> {
    return this.#steps.run(device, Operation.put_property, async (entry) => {
      record(entry, ctx, "Operation", "put_property", false);
      this.#steps.allow(ctx, entry, Right.WRITE, "Putting properties");
      // Not an IDL operation in cppTango (the database's); a lock blocks every mutating request (spec §10.8 item 2).
      this.#steps.checkLock(ctx, entry, "put_property");
      for (const p of props) {
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(p.name)) {
          throw DevFailed.of(Reason.InvalidArgs, `Invalid property name "${p.name}" (letters, digits and _, spec §2.1)`, "DeviceServer::put_property");
        }
      }
      await this.#server.properties.put(entry.name, props);
    });
  }

  async deleteProperty(ctx: CallContext, device: string, names: readonly string[]): Promise<void> {
    return this.#steps.run(device, Operation.delete_property, async (entry) => {
      record(entry, ctx, "Operation", "delete_property", false);
      this.#steps.allow(ctx, entry, Right.WRITE, "Deleting properties");
      this.#steps.checkLock(ctx, entry, "delete_property");
      await this.#server.properties.delete(entry.name, names);
    });
  }

  async readAttributeHistory(ctx: CallContext, device: string, attribute: string, n: number): Promise<AttributeValue[]> {
    return this.#steps.run(device, Operation.read_attribute_history, async (entry) => {
      record(entry, ctx, "Operation", "read_attribute_history_5", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the attribute history");
      const state = runtimeOf(this.#server.liveDevice(entry)).attribute(attribute);
      const lower = attribute.toLowerCase();
      if (state === undefined && lower !== "state" && lower !== "status") throw TangoErrors.attrNotFound(attribute);
      checkRecordCount(n, "Device_5Impl::read_attribute_history_5");
      const object = this.#server.polling.find(entry, "attribute", attribute);
      return attributeHistory(object?.kind === "attribute" ? object : undefined, attribute, n);
    });
  }

  async commandInoutHistory(ctx: CallContext, device: string, command: string, n: number): Promise<CommandHistoryRecord[]> {
    return this.#steps.run(device, Operation.command_inout_history, async (entry) => {
      record(entry, ctx, "Operation", "command_inout_history_4", false);
      this.#steps.allow(ctx, entry, Right.READ, "Reading the command history");
      if (runtimeOf(this.#server.liveDevice(entry)).command(command) === undefined) throw TangoErrors.commandNotFound(command);
      checkRecordCount(n, "Device_4Impl::command_inout_history_4");
      const lower = command.toLowerCase();
      // spec §11.2: State and Status are polled as attributes
      const object = this.#server.polling.find(entry, lower === "state" || lower === "status" ? "attribute" : "command", command);
      return commandHistory(object, command, n);
    });
  }

  // Pipes (spec §8): pipe-requests.ts.
  getPipeConfig(ctx: CallContext, device: string, names: readonly string[]): Promise<PipeConfig[]> {
    return this.#pipes.getPipeConfig(ctx, device, names);
  }

  setPipeConfig(ctx: CallContext, device: string, updates: readonly PipeConfigUpdate[]): Promise<void> {
    return this.#pipes.setPipeConfig(ctx, device, updates);
  }

  readPipe(ctx: CallContext, device: string, name: string): Promise<PipeValue> {
    return this.#pipes.readPipe(ctx, device, name);
  }

  writePipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<void> {
    return this.#pipes.writePipe(ctx, device, name, blob);
  }

  writeReadPipe(ctx: CallContext, device: string, name: string, blob: PipeBlob): Promise<PipeValue> {
    return this.#pipes.writeReadPipe(ctx, device, name, blob);
  }

  async subscribeEvent(ctx: CallContext, device: string, attribute: string, type: EventType, sink: EventSink): Promise<Subscription> {
    return this.#steps.run(device, Operation.subscribe_event, async (entry) => {
      this.#steps.allow(ctx, entry, Right.READ, "Subscribing to events");
      return await this.#server.events.subscribe(ctx, entry.name, attribute, type, sink);
    });
  }
}

/** A history asks for at least one record. */
function checkRecordCount(n: number, origin: string): void {
  if (!Number.isInteger(n) || n < 1) throw DevFailed.of(Reason.MethodArgument, `The number of records to read must be at least 1 (got ${n})`, origin);
}
