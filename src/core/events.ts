import type { CmdArgType } from "./cmd-arg-type.js";
import type { DevError } from "./dev-failed.js";
import type { EventType } from "./enums.js";
import type { AttributeConfig, AttributeValue, CommandInfo, TimeVal } from "./idl.js";
import type { PipeValue } from "./pipes.js";

/** What a data-ready event carries (IDL DataReadyEventData): the attribute's type and the pusher's counter. */
export interface DataReady {
  /** The attribute's element type. */
  readonly dataType: CmdArgType;
  /** The counter the device passed to `pushDataReadyEvent`. */
  readonly counter: number;
}

/** What an interface-change event carries (IDL DevIntrChange): the device's whole interface. */
export interface InterfaceChange {
  /** Every command of the device, as `commandListQuery` returns them. */
  readonly commands: readonly CommandInfo[];
  /** Every attribute's configuration, as `getAttributeConfig` returns them. */
  readonly attributes: readonly AttributeConfig[];
  /** True for the event sent when the device was (re)started (Init, DevRestart). */
  readonly deviceStarted: boolean;
}

/**
 * One Tango event as the server sends it (spec §12). Exactly one payload is set, or `errors`:
 * `value` for change, periodic, archive, alarm and user events; `config` for attr_conf;
 * `dataReady` for data_ready; `interfaceChange` for intr_change; `pipe` for pipe events.
 */
export interface EventRecord {
  readonly device: string;
  /**
   * The attribute's declared name; the pipe's for pipe events; "" for interface-change events,
   * which are about the device.
   */
  readonly attribute: string;
  readonly eventType: EventType;
  /** Counts the events of this (device, attribute, type) the server sent since it started. */
  readonly sequence: number;
  /** When the server produced the event. */
  readonly time: TimeVal;
  readonly value?: AttributeValue;
  /** The error stack, root cause first, when the attribute's read failed. */
  readonly errors?: readonly DevError[];
  readonly config?: AttributeConfig;
  readonly dataReady?: DataReady;
  readonly interfaceChange?: InterfaceChange;
  /** What a pipe event carries (PIPE_EVENT): the pipe's name, the time device code pushed it, its blob. */
  readonly pipe?: PipeValue;
}
