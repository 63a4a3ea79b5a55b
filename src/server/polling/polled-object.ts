import type { AttributeValue, DevError, TypedValue } from "../../core/index.js";
import { PollRing } from "./poll-ring.js";

/** What a polled command left in its ring: its result, or its error stack. */
export interface CommandRecord {
  readonly value?: TypedValue;
  readonly errors?: readonly DevError[];
}

interface PolledBase {
  /** The declared name (State and Status capitalised). */
  readonly name: string;
  /** Lower-case name: how objects are looked up. */
  readonly key: string;
  /** Polling period in ms; 0: externally triggered, the device fills the ring itself (spec §11.1 item 4). */
  periodMs: number;
  /** How long the last poll took, ms; 0 while the ring is filled from outside (DevPollStatus). */
  neededMs: number;
}

/** A polled attribute (State and Status are polled as attributes, spec §11.2). */
export interface PolledAttribute extends PolledBase {
  readonly kind: "attribute";
  /** Each record is the attribute as read, failed reads included (their errors inside). */
  readonly ring: PollRing<AttributeValue>;
}

/** A polled command (one without input). */
export interface PolledCommand extends PolledBase {
  readonly kind: "command";
  readonly ring: PollRing<CommandRecord>;
}

/** One object of a device's polling list. */
export type PolledObject = PolledAttribute | PolledCommand;

/** A new polled object with an empty ring. */
export function polledObject(kind: "attribute" | "command", name: string, periodMs: number, depth: number): PolledObject {
  const base = { name, key: name.toLowerCase(), periodMs, neededMs: 0 };
  return kind === "attribute"
    ? { ...base, kind, ring: new PollRing<AttributeValue>(depth) }
    : { ...base, kind, ring: new PollRing<CommandRecord>(depth) };
}
