import type { DispLevel } from "./enums.js";
import type { TimeVal } from "./idl.js";
import type { TypedValue } from "./values.js";

/** Tango pipes (RFC 7) as the in-process request API carries them. */

/** Whether clients may write a pipe (IDL PipeWriteType). */
export enum PipeWriteType { PIPE_READ = 0, PIPE_READ_WRITE = 1 }

/**
 * One data element of a pipe blob (IDL DevPipeDataElt): a named value, a scalar or an array of
 * any Tango type (`value.type` says which), or a named nested blob.
 */
export type PipeDataElement =
  | { readonly name: string; readonly value: TypedValue; readonly blob?: undefined }
  | { readonly name: string; readonly blob: PipeBlob; readonly value?: undefined };

/** A pipe's data (IDL DevPipeBlob): a named, ordered list of data elements, names unique within it. */
export interface PipeBlob {
  /** The blob's name ("" is valid, cppTango's default). */
  readonly name: string;
  /** The data elements, in order. */
  readonly elements: readonly PipeDataElement[];
}

/** A pipe as read (IDL DevPipeData): its name, when device code set it, and its blob. */
export interface PipeValue {
  /** Declared name. */
  readonly name: string;
  /** When device code set the value. */
  readonly time: TimeVal;
  /** The pipe's data. */
  readonly blob: PipeBlob;
}

/** A pipe's configuration (IDL PipeConfig); only `label` and `description` change at run time. */
export interface PipeConfig {
  /** Declared name. */
  readonly name: string;
  /** Free text; settable. */
  readonly description: string;
  /** Display name; settable (default: the name). */
  readonly label: string;
  /** Display level, fixed at declaration. */
  readonly level: DispLevel;
  /** Whether clients may write it, fixed at declaration. */
  readonly writable: PipeWriteType;
}

/** A change of a pipe's configuration: the fields given are set, the others kept. */
export interface PipeConfigUpdate {
  /** The pipe, any case. */
  readonly name: string;
  /** New label, when given. */
  readonly label?: string;
  /** New description, when given. */
  readonly description?: string;
}
