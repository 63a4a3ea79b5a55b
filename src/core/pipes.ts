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
  readonly name: string;
  readonly elements: readonly PipeDataElement[];
}

/** A pipe as read (IDL DevPipeData): its name, when device code set it, and its blob. */
export interface PipeValue {
  /** Declared name. */
  readonly name: string;
  readonly time: TimeVal;
  readonly blob: PipeBlob;
}

/** A pipe's configuration (IDL PipeConfig); only `label` and `description` change at run time. */
export interface PipeConfig {
  readonly name: string;
  readonly description: string;
  readonly label: string;
  readonly level: DispLevel;
  readonly writable: PipeWriteType;
}

/** A change of a pipe's configuration: the fields given are set, the others kept. */
export interface PipeConfigUpdate {
  readonly name: string;
  readonly label?: string;
  readonly description?: string;
}
