import type { Logger } from "pino";
import { AttrWriteType, DevState, EventType, TangoErrors } from "../core/index.js";
import type { AttrDataFormat, AttrScalarType, AttributeValue, CmdArgType, PipeBlob, PipeBlobBuilder, PipeValue, ValueOf } from "../core/index.js";
import type { AttrReadResult, CommandResult } from "./decorators.js";
import { classDeclarations } from "./decorators.js";
import {
  resolveAttribute, resolveCommand, type AttrWriteData, type AttributeOptions, type CommandOptions,
} from "./declarations.js";
import { DeviceRuntime, type PushedEvents } from "./device-runtime.js";
import { pipeOf, pipeValueOf } from "./pipe-exec.js";
import { parsePropertyValue } from "./property-value.js";
import { evaluateState, evaluateStatus } from "./state-eval.js";

/** Where a device's events go: the server's event hub (DESIGN §9). @internal */
export interface DeviceEventSink {
  /** A change, archive, alarm or user event pushed by device code: a value, or a DevFailed. */
  push(device: Device, attribute: string, type: EventType, value: unknown): void;
  /** A data-ready event pushed by device code. */
  pushDataReady(device: Device, attribute: string, counter: number): void;
  /** A pipe event pushed by device code, its value checked (cppTango push_pipe_event). */
  pushPipe(device: Device, value: PipeValue): void;
  /** An attribute or command was added or removed at run time (spec §14). */
  interfaceChanged(device: Device, change: { readonly kind: "attribute" | "command"; readonly name: string; readonly isAdded: boolean }): void;
}

/** What the server offers a device. @internal */
export interface DeviceHost {
  /** The admin device name, `dserver/<server>/<instance>`. */
  readonly adminName: string;
  /** Reads attributes of a device of this server along the current call chain (no deadlock). */
  readAttributes(device: string, names: readonly string[]): Promise<AttributeValue[]>;
  /** Configured value of a device or class property (strings), if any. */
  propertyValue(device: string, className: string, name: string, scope: "device" | "class"): readonly string[] | undefined;
  /** The event hub. */
  readonly events: DeviceEventSink;
  /**
   * Keeps the value just written to a memorized attribute (spec §6.8 item 2) before the write is
   * acknowledged; rejects with a DevFailed when it cannot. Absent: values are not kept.
   */
  memorize?(device: Device, attribute: string, value: unknown): Promise<void>;
}

/** What the server passes to a device's constructor. @internal */
export interface DeviceInit {
  readonly name: string;
  readonly className: string;
  readonly logger: Logger;
  readonly host: DeviceHost;
}

/** A dynamic attribute: the options of `@attribute` plus its name and handlers (spec §14). */
export interface DynamicAttribute<T extends AttrScalarType = AttrScalarType, F extends AttrDataFormat = AttrDataFormat> extends AttributeOptions<T, F> {
  /** The attribute name, unique on this device (case-insensitive). */
  readonly name: string;
  /** Returns the value, as a decorated getter would; without it the attribute is WRITE only. */
  readonly read?: () => AttrReadResult<T, F> | Promise<AttrReadResult<T, F>>;
  /** Takes a written value, as a decorated setter would; with it the attribute is writable. */
  readonly write?: (value: AttrWriteData<T, F>) => void | Promise<void>;
}

/** A dynamic command: the options of `@command` plus its name and handler (spec §14). */
export interface DynamicCommand<I extends CmdArgType = CmdArgType, O extends CmdArgType = CmdArgType> extends CommandOptions<I, O> {
  /** The command name, unique on this device (case-insensitive). */
  readonly name: string;
  /** Runs the command with its argument (`undefined` for DevVoid) and returns its result. */
  readonly execute: (argin: ValueOf<I>) => CommandResult<O> | Promise<CommandResult<O>>;
}

const RUNTIMES = new WeakMap<Device, DeviceRuntime>();

/** The runtime state behind a device (attributes, commands, tasks). @internal */
export function runtimeOf(device: Device): DeviceRuntime {
  const rt = RUNTIMES.get(device);
  if (rt === undefined) throw new TypeError("not a device built by a DeviceServer");
  return rt;
}

/** What the next Device constructor takes: set by constructDevice only. */
let pendingInit: DeviceInit | undefined;

/**
 * Builds a device of `cls` for the server: the only way one is made, so that the init (name,
 * logger, host) never shows in the public constructor. @internal
 */
export function constructDevice(cls: new () => Device, init: DeviceInit): Device {
  pendingInit = init;
  try {
    return new cls();
  } finally {
    pendingInit = undefined;
  }
}

/**
 * Base class of every Tango device class (spec §3). Subclasses declare attributes, commands and
 * properties with decorators and override the hooks they need; the server creates one instance
 * per configured device and runs every request through it.
 */
export abstract class Device {
  /** The device name in its declared case, e.g. `sys/tg_test/1`. */
  readonly name: string;
  readonly #className: string;
  readonly #log: Logger;
  readonly #host: DeviceHost;
  #state: DevState = DevState.UNKNOWN;
  #status: string | undefined = undefined;

  /**
   * Devices are built by the server (serve(), `tango-grpc serve`, a test context), one per
   * configured name; `new` on a device class throws. A constructor of your own takes no
   * arguments and calls `super()`; set a device up in {@link Device.initDevice}, which Init and
   * DevRestart run again.
   */
  constructor() {
    const init = pendingInit;
    if (init === undefined) {
      throw new TypeError(`a ${new.target.name} is built by a device server (serve(), tango-grpc serve or a test context), not with new`);
    }
    pendingInit = undefined;
    this.name = init.name;
    this.#className = init.className;
    this.#log = init.logger;
    this.#host = init.host;
    const decls = classDeclarations(new.target as unknown as abstract new (...args: never[]) => Device);
    const rt = new DeviceRuntime(decls, this.#log);
    const host = init.host;
    if (host.memorize !== undefined) rt.memorize = (attribute, value) => host.memorize?.(this, attribute, value) ?? Promise.resolve();
    RUNTIMES.set(this, rt);
  }

  /** The Tango class name (the configured name, by default the JS class name). */
  get className(): string {
    return this.#className;
  }

  /** This device's logger; its level is set by the admin logging commands. */
  get log(): Logger {
    return this.#log;
  }

  /** The admin device of this server, `dserver/<server>/<instance>`. */
  get adminName(): string {
    return this.#host.adminName;
  }

  /** Called at export, at Init and at DevRestart. Must survive a rerun (STYLE §9). */
  initDevice(): void | Promise<void> {}

  /** Releases what `initDevice` acquired. Called before a re-init and at shutdown. */
  deleteDevice(): void | Promise<void> {}

  /** Runs before every command and once per attribute read or write call (spec §3.3). */
  alwaysExecutedHook(): void | Promise<void> {}

  /** Runs once per read call before the attributes are read, with their declared names (spec §6.4). */
  readAttrHardware(_names: readonly string[]): void | Promise<void> {}

  /** Runs once per write call after the attributes were written (spec §6.7 item 5). */
  writeAttrHardware(_names: readonly string[]): void | Promise<void> {}

  /** Runs once after every device of the server is exported (spec §9.2 item 4). */
  serverInitHook(): void | Promise<void> {}

  /** The state as last set (without the alarm evaluation `State` does). */
  getState(): DevState {
    return this.#state;
  }

  /** Sets the state. */
  setState(state: DevState): void {
    this.#state = state;
  }

  /** The status as last set, or undefined when never set. */
  getStatus(): string | undefined {
    return this.#status;
  }

  /** Sets the status text; `undefined` returns to the default "The device is in <STATE> state." */
  setStatus(status: string | undefined): void {
    this.#status = status;
  }

  /**
   * The State as clients read it. Default: cppTango's rule (spec §3.3): from ON or ALARM, ALARM
   * when an attribute is out of its alarm or warning band, else ON. Override to compute it.
   */
  devState(): DevState | Promise<DevState> {
    return evaluateState(this);
  }

  /** The Status as clients read it. Default: the set status (or "The device is in X state.") plus alarm lines. */
  devStatus(): string | Promise<string> {
    return evaluateStatus(this);
  }

  /** A property's configured strings (device scope), or undefined when not configured. */
  getProperty(name: string): readonly string[] | undefined {
    return this.#host.propertyValue(this.name, this.#className, name, "device");
  }

  /** A declared property's value parsed to its type: configured value, else its default. */
  getPropertyValue(name: string): unknown {
    const decl = runtimeOf(this).decls.properties.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (decl === undefined) throw new TypeError(`${this.#className} declares no property ${name}`);
    const stored = this.#host.propertyValue(this.name, this.#className, decl.name, decl.scope) ?? decl.defaultValue;
    if (stored === undefined) return undefined;
    return parsePropertyValue(decl.dtype, stored);
  }

  /**
   * Reads attributes of this device through the read pipeline (hooks, quality, alarms, the
   * blackbox as "user thread"), as a client would, but without taking its own monitor: from one
   * of its commands or reads, the request already holds it; from a background task, the read
   * runs beside client requests, as the task's other code does.
   */
  readAttributes(names: readonly string[]): Promise<AttributeValue[]> {
    return this.#host.readAttributes(this.name, names);
  }

  /**
   * Adds an attribute to this device only (spec §14); clients subscribed to the device's
   * interface-change events hear of it. Throws TypeError on bad options or a clash.
   */
  addAttribute<T extends AttrScalarType, F extends AttrDataFormat = AttrDataFormat.SCALAR>(attr: DynamicAttribute<T, F>): void {
    const read = attr.read;
    const write = attr.write as ((v: unknown) => unknown) | undefined;
    const access = attr.access ?? (read && write ? AttrWriteType.READ_WRITE : write ? AttrWriteType.WRITE : AttrWriteType.READ);
    const decl = resolveAttribute(attr.name, attr as AttributeOptions, access, read && (() => read()), write && ((_d, v) => write(v)));
    runtimeOf(this).addAttribute(decl);
    this.#host.events.interfaceChanged(this, { kind: "attribute", name: decl.name, isAdded: true });
  }

  /** Removes a dynamic attribute (and its polling); false when there was none of that name. */
  removeAttribute(name: string): boolean {
    const isRemoved = runtimeOf(this).removeAttribute(name);
    if (isRemoved) this.#host.events.interfaceChanged(this, { kind: "attribute", name, isAdded: false });
    return isRemoved;
  }

  /** Adds a command to this device only (spec §14). */
  addCommand<I extends CmdArgType = CmdArgType.DevVoid, O extends CmdArgType = CmdArgType.DevVoid>(cmd: DynamicCommand<I, O>): void {
    const execute = cmd.execute as (argin: unknown) => unknown;
    const decl = resolveCommand(cmd.name, cmd as CommandOptions, (_d, argin) => execute(argin));
    runtimeOf(this).addCommand(decl);
    this.#host.events.interfaceChanged(this, { kind: "command", name: decl.name, isAdded: true });
  }

  /** Removes a dynamic command (and its polling); false when there was none of that name. */
  removeCommand(name: string): boolean {
    const isRemoved = runtimeOf(this).removeCommand(name);
    if (isRemoved) this.#host.events.interfaceChanged(this, { kind: "command", name, isAdded: false });
    return isRemoved;
  }

  /**
   * Declares that this device pushes change events for an attribute itself, so clients may
   * subscribe without polling (cppTango `set_change_event`). With `detect` (the default) a pushed
   * value is sent only when it passes the change criteria (abs_change, rel_change, quality);
   * without, every push is sent. Throws DevFailed API_AttrNotFound.
   */
  setChangeEvent(attribute: string, implemented: boolean, detect = true): void {
    this.#setPushed(attribute, (p) => { p.change = implemented ? { detect } : undefined; });
  }

  /** As setChangeEvent, for archive events (criteria: archive_abs_change, archive_rel_change, archive_period). */
  setArchiveEvent(attribute: string, implemented: boolean, detect = true): void {
    this.#setPushed(attribute, (p) => { p.archive = implemented ? { detect } : undefined; });
  }

  /** As setChangeEvent, for alarm events (criteria: errors and quality changes to or from ALARM or WARNING). */
  setAlarmEvent(attribute: string, implemented: boolean, detect = true): void {
    this.#setPushed(attribute, (p) => { p.alarm = implemented ? { detect } : undefined; });
  }

  /** Declares that this device pushes data-ready events for an attribute (cppTango `set_data_ready_event`). */
  setDataReadyEvent(attribute: string, implemented: boolean): void {
    this.#setPushed(attribute, (p) => { p.dataReady = implemented; });
  }

  #setPushed(attribute: string, set: (p: PushedEvents) => void): void {
    const rt = runtimeOf(this);
    const lower = attribute.toLowerCase();
    if (lower !== "state" && lower !== "status" && rt.attribute(attribute) === undefined) throw TangoErrors.attrNotFound(attribute);
    const flags = { ...rt.pushed(attribute) };
    set(flags);
    rt.pushedEvents.set(lower, flags);
  }

  /**
   * Pushes a change event (spec §12.1 item 2): `value` as a read method would return it (a
   * plain value, `attrValue(v, { quality, timestampMs })`, `image(...)`), or a DevFailed for an
   * error event. Subscribers get it when the attribute's change criteria pass, or always when
   * `setChangeEvent(attribute, true, false)` said not to check them. Never waits: a slow
   * subscriber never slows the device. Throws DevFailed API_AttrNotFound, or API_AttrOptProp for
   * a value that does not fit the attribute.
   */
  pushChangeEvent(attribute: string, value: unknown): void {
    this.#host.events.push(this, attribute, EventType.CHANGE_EVENT, value);
  }

  /** Pushes an archive event; as pushChangeEvent, with the archive criteria. */
  pushArchiveEvent(attribute: string, value: unknown): void {
    this.#host.events.push(this, attribute, EventType.ARCHIVE_EVENT, value);
  }

  /** Pushes an alarm event; as pushChangeEvent, with the alarm criteria. */
  pushAlarmEvent(attribute: string, value: unknown): void {
    this.#host.events.push(this, attribute, EventType.ALARM_EVENT, value);
  }

  /** Pushes a user event: sent to every user-event subscriber, with no criteria (cppTango `push_event`). */
  pushEvent(attribute: string, value: unknown): void {
    this.#host.events.push(this, attribute, EventType.USER_EVENT, value);
  }

  /**
   * Pushes a data-ready event: tells subscribers that new data can be read, with a counter of
   * the pusher's choosing (cppTango `push_data_ready_event`). Needs `setDataReadyEvent(attribute, true)`.
   */
  pushDataReadyEvent(attribute: string, counter = 0): void {
    this.#host.events.pushDataReady(this, attribute, counter);
  }

  /**
   * Pushes a pipe event (cppTango `push_pipe_event`, spec §8 item 3): every PIPE_EVENT subscriber
   * of the pipe gets the blob, timed now or at `timestampMs`. Pipes are never polled, so this is
   * how their events happen. Never waits. Throws DevFailed API_PipeNotFound, or the blob's errors
   * (API_PipeNoDataElement, API_PipeDuplicateDEName, API_PipeWrongArg).
   */
  pushPipeEvent(pipe: string, blob: PipeBlob | PipeBlobBuilder, opts: { timestampMs?: number } = {}): void {
    const decl = pipeOf(this, pipe).decl;
    this.#host.events.pushPipe(this, pipeValueOf(decl, blob, opts.timestampMs ?? Date.now(), "Pipe::fire_event()"));
  }

  /**
   * Runs background work owned by this device: a failure is logged with this device's logger
   * (the server keeps serving), and the task's signal is aborted at deleteDevice and shutdown.
   */
  runTask(name: string, task: (signal: AbortSignal) => Promise<void> | void): void {
    runtimeOf(this).tasks.run(name, task);
  }

  /** For logs and messages. */
  toString(): string {
    return `${this.#className}(${this.name})`;
  }
}

/**
 * Marks this copy of Device with the module that defines it, so that a class extending another
 * copy of tango-grpc (a second install) can be told apart and named in the error. @internal
 */
export const DEVICE_COPY = Symbol.for("tango-grpc.Device");
Object.defineProperty(Device, DEVICE_COPY, { value: import.meta.url });

