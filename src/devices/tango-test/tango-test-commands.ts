import {
  command, DevBoolean, DevDouble, DevFloat, DevLong, DevLong64, DevShort, DevState, DevString, DevULong,
  DevULong64, DevUShort, DevVarCharArray, DevVarDoubleArray, DevVarDoubleStringArray, DevVarFloatArray,
  DevVarLong64Array, DevVarLongArray, DevVarLongStringArray, DevVarShortArray, DevVarStringArray,
  DevVarULong64Array, DevVarULongArray, DevVarUShortArray, DispLevel,
} from "../../device/index.js";
import type { DevVarDoubleStringArrayValue, DevVarLongStringArrayValue } from "../../device/index.js";
import { TangoTestBase } from "./tango-test-base.js";

/** The argin and argout descriptions the reference shows for the echo commands. */
const DASH = "-";
const ECHO_OUT = "Echo of the argin value";

/** Why the crash tasks fail; the server logs it with the device's logger. */
const CRASH_REQUESTED = "crash requested by a client; the task fails instead of the process";

/**
 * TangoTest's 27 own commands (Init, State and Status come from the server). None is restricted
 * by state: TangoTestStateMachine.cpp allows every command in every state. @internal
 */
export abstract class TangoTestCommands extends TangoTestBase {
  // The real TangoTest, built with crash reporting, crashes its process here on purpose (a null
  // write in the data-generator thread, or in the calling thread); without it, it only logs an
  // error. We deliberately never take the server down: the failure stays in a task this device
  // owns, which the server logs while it keeps serving.
  @command({ displayLevel: DispLevel.EXPERT })
  CrashFromDevelopperThread(): void {
    this.runTask("CrashFromDevelopperThread", () => {
      throw new Error(`CrashFromDevelopperThread: ${CRASH_REQUESTED}`);
    });
  }

  @command({ displayLevel: DispLevel.EXPERT })
  CrashFromOmniThread(): void {
    this.runTask("CrashFromOmniThread", () => {
      throw new Error(`CrashFromOmniThread: ${CRASH_REQUESTED}`);
    });
  }

  @command({ dtypeIn: DevBoolean, dtypeOut: DevBoolean, docIn: "Any boolean value", docOut: ECHO_OUT })
  DevBoolean(argin: boolean): boolean {
    return argin;
  }

  @command({ dtypeIn: DevDouble, dtypeOut: DevDouble, docIn: "Any DevDouble value", docOut: ECHO_OUT })
  DevDouble(argin: number): number {
    return argin;
  }

  @command({ dtypeIn: DevFloat, dtypeOut: DevFloat, docIn: "Any DevFloat value", docOut: ECHO_OUT })
  DevFloat(argin: number): number {
    return argin;
  }

  @command({ dtypeIn: DevLong, dtypeOut: DevLong, docIn: "Any DevLong value", docOut: ECHO_OUT })
  DevLong(argin: number): number {
    return argin;
  }

  @command({ dtypeIn: DevLong64, dtypeOut: DevLong64, docIn: "Any DevLong64 value", docOut: ECHO_OUT })
  DevLong64(argin: bigint): bigint {
    return argin;
  }

  @command({ dtypeIn: DevShort, dtypeOut: DevShort, docIn: "Any DevShort value", docOut: ECHO_OUT })
  DevShort(argin: number): number {
    return argin;
  }

  @command({ dtypeIn: DevString, dtypeOut: DevString, docIn: DASH, docOut: DASH })
  DevString(argin: string): string {
    return argin;
  }

  @command({ dtypeIn: DevULong, dtypeOut: DevULong, docIn: "Any DevULong", docOut: ECHO_OUT })
  DevULong(argin: number): number {
    return argin;
  }

  @command({ dtypeIn: DevULong64, dtypeOut: DevULong64, docIn: "Any DevULong64 value", docOut: ECHO_OUT })
  DevULong64(argin: bigint): bigint {
    return argin;
  }

  @command({ dtypeIn: DevUShort, dtypeOut: DevUShort, docIn: "Any DevUShort value", docOut: ECHO_OUT })
  DevUShort(argin: number): number {
    return argin;
  }

  @command({ dtypeIn: DevVarCharArray, dtypeOut: DevVarCharArray, docIn: DASH, docOut: DASH })
  DevVarCharArray(argin: Uint8Array): Uint8Array {
    return argin;
  }

  @command({ dtypeIn: DevVarDoubleArray, dtypeOut: DevVarDoubleArray, docIn: DASH, docOut: DASH })
  DevVarDoubleArray(argin: Float64Array): Float64Array {
    return argin;
  }

  @command({ dtypeIn: DevVarDoubleStringArray, dtypeOut: DevVarDoubleStringArray, docIn: DASH, docOut: DASH })
  DevVarDoubleStringArray(argin: DevVarDoubleStringArrayValue): DevVarDoubleStringArrayValue {
    return argin;
  }

  @command({ dtypeIn: DevVarFloatArray, dtypeOut: DevVarFloatArray, docIn: DASH, docOut: DASH })
  DevVarFloatArray(argin: Float32Array): Float32Array {
    return argin;
  }

  // The reference shows "Uninitialised" for both 64-bit array commands: no descriptions given.
  @command({ dtypeIn: DevVarLong64Array, dtypeOut: DevVarLong64Array })
  DevVarLong64Array(argin: BigInt64Array): BigInt64Array {
    return argin;
  }

  @command({ dtypeIn: DevVarLongArray, dtypeOut: DevVarLongArray, docIn: DASH, docOut: DASH })
  DevVarLongArray(argin: Int32Array): Int32Array {
    return argin;
  }

  @command({ dtypeIn: DevVarLongStringArray, dtypeOut: DevVarLongStringArray, docIn: DASH, docOut: DASH })
  DevVarLongStringArray(argin: DevVarLongStringArrayValue): DevVarLongStringArrayValue {
    return argin;
  }

  @command({ dtypeIn: DevVarShortArray, dtypeOut: DevVarShortArray, docIn: DASH, docOut: DASH })
  DevVarShortArray(argin: Int16Array): Int16Array {
    return argin;
  }

  @command({ dtypeIn: DevVarStringArray, dtypeOut: DevVarStringArray, docIn: DASH, docOut: DASH })
  DevVarStringArray(argin: readonly string[]): readonly string[] {
    return argin;
  }

  @command({ dtypeIn: DevVarULong64Array, dtypeOut: DevVarULong64Array })
  DevVarULong64Array(argin: BigUint64Array): BigUint64Array {
    return argin;
  }

  @command({ dtypeIn: DevVarULongArray, dtypeOut: DevVarULongArray, docIn: DASH, docOut: DASH })
  DevVarULongArray(argin: Uint32Array): Uint32Array {
    return argin;
  }

  @command({ dtypeIn: DevVarUShortArray, dtypeOut: DevVarUShortArray, docIn: DASH, docOut: DASH })
  DevVarUShortArray(argin: Uint16Array): Uint16Array {
    return argin;
  }

  @command({ docIn: "N/A", docOut: "N/A" })
  DevVoid(): void {}

  // The C++ writes a minidump when built with crash reporting; a log line is our harmless match.
  @command({ displayLevel: DispLevel.EXPERT })
  DumpExecutionState(): void {
    this.log.info(this.executionState(), "execution state");
  }

  /** RUNNING becomes FAULT; any other state becomes RUNNING (TangoTest::switch_states). */
  @command()
  SwitchStates(): void {
    this.setState(this.getState() === DevState.RUNNING ? DevState.FAULT : DevState.RUNNING);
  }
}
