import { DispLevel, PipeBlobBuilder, PipeWriteType } from "../core/index.js";
import type { DevState, PipeBlob } from "../core/index.js";
import type { Device } from "./device.js";

/** Which request an is-allowed check is about (cppTango PipeReqType). */
export enum PipeReqType { READ_REQ = 0, WRITE_REQ = 1 }

/** A read value with the time device code gives it; see `pipeValue`. */
export interface PipeReadValue {
  readonly [PIPE_VALUE]: true;
  /** The blob, or a builder of it. */
  readonly blob: PipeBlob | PipeBlobBuilder;
  /** When the data was acquired, ms since the epoch (default: when the read method returned). */
  readonly timestampMs?: number;
}

const PIPE_VALUE: unique symbol = Symbol("tango.pipeValue");

/** Gives a pipe's read value a time of its own: `return pipeValue(blob, { timestampMs })`. */
export function pipeValue(blob: PipeBlob | PipeBlobBuilder, opts: { timestampMs?: number } = {}): PipeReadValue {
  return { [PIPE_VALUE]: true, blob, timestampMs: opts.timestampMs };
}

/** True for what `pipeValue` built. @internal */
export function isPipeReadValue(v: unknown): v is PipeReadValue {
  return typeof v === "object" && v !== null && (v as Partial<PipeReadValue>)[PIPE_VALUE] === true;
}

/**
 * What a pipe's read method returns: the blob, a builder of it (`pipeBlob(...)`), `pipeValue(...)`
 * for a time of its own, or undefined when it has no value (the client gets API_PipeValueNotSet).
 */
export type PipeReadResult = PipeBlob | PipeBlobBuilder | PipeReadValue | undefined;

/** Options of `@pipe` (spec §8 item 1). */
export interface PipeOptions {
  /** Tango name when it differs from the member name. */
  readonly name?: string;
  /** Default: the pipe name. */
  readonly label?: string;
  /** Default: "No description". */
  readonly description?: string;
  /** OPERATOR (default) or EXPERT. */
  readonly displayLevel?: DispLevel;
  /**
   * The name of a method of the class that takes a written blob (checked, canonical), possibly
   * asynchronously: it makes the pipe read-write, as a setter beside a decorated getter does.
   */
  readonly write?: string;
  /** States in which reads are allowed (default: all); else API_PipeNotAllowed. */
  readonly readAllowedIn?: readonly DevState[];
  /** States in which writes are allowed (default: all); else API_PipeNotAllowed. */
  readonly writeAllowedIn?: readonly DevState[];
  /**
   * The name of a method of the class, `(req: PipeReqType) => boolean` (or a promise of it), that
   * says whether a read or write is allowed now (cppTango `is_<pipe>_allowed`); checked after
   * `readAllowedIn`/`writeAllowedIn`.
   */
  readonly isAllowed?: string;
}

/** A resolved pipe declaration, shared by every device of a class. @internal */
export interface PipeDecl {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** The class's label and description as given in the options, for SetPipeConfig's "" (back to these). */
  readonly userLabel?: string;
  readonly userDescription?: string;
  readonly level: DispLevel;
  readonly writable: PipeWriteType;
  readonly readAllowedIn?: readonly DevState[];
  readonly writeAllowedIn?: readonly DevState[];
  readonly read: (device: Device) => unknown;
  readonly write?: (device: Device, blob: PipeBlob) => unknown;
  readonly isAllowed?: (device: Device, req: PipeReqType) => unknown;
}

/** cppTango's DescNotSpec: the description of a pipe that has none. */
export const PIPE_NO_DESCRIPTION = "No description";

const NAME_RE = /^[0-9A-Za-z_]+$/;

/** Checks pipe options and resolves them into a declaration (TypeError on mistakes). @internal */
export function resolvePipe(
  name: string, opts: PipeOptions, read: (device: Device) => unknown, write?: (device: Device, blob: PipeBlob) => unknown,
  isAllowed?: (device: Device, req: PipeReqType) => unknown,
): PipeDecl {
  if (!NAME_RE.test(name)) throw new TypeError(`pipe ${name}: a name holds only letters, digits and _`);
  if (opts.displayLevel !== undefined && !(opts.displayLevel in DispLevel)) throw new TypeError(`pipe ${name}: unknown displayLevel`);
  return {
    name,
    label: opts.label || name,
    description: opts.description || PIPE_NO_DESCRIPTION,
    userLabel: opts.label || undefined,
    userDescription: opts.description || undefined,
    level: opts.displayLevel ?? DispLevel.OPERATOR,
    writable: write === undefined ? PipeWriteType.PIPE_READ : PipeWriteType.PIPE_READ_WRITE,
    readAllowedIn: opts.readAllowedIn,
    writeAllowedIn: opts.writeAllowedIn,
    read, write, isAllowed,
  };
}
