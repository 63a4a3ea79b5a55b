import { setTimeout as sleep } from "node:timers/promises";
import {
  AttrQuality, DevBoolean, DevDouble, DevFailed, DevState, Device, Reason, attrValue, attribute, command, deviceProperty,
} from "tango-grpc";
import type { AttrReadValue } from "tango-grpc";
import { advance } from "./motion.js";

/** How often a running move steps the position and pushes it, ms. */
const MOVE_STEP_MS = 50;

/**
 * Reason of a move refused because it would drive the motor further into the limit switch it is
 * on: from a switch, the motor may only move back (a device-specific reason, not one of Tango's).
 */
export const REASON_AT_LIMIT_SWITCH = "Motor_AtLimitSwitch";

/** The motor's unit of length: every position, velocity and acceleration is in it. */
const UNIT = "mm";
/** Name of the owned background task that runs a move. */
const MOVE_TASK = "move";
/** The states in which the motor is powered and at rest, so may start a move. */
const AT_REST: readonly DevState[] = [DevState.ON, DevState.ALARM];
/** The states in which the motor is powered. */
const POWERED: readonly DevState[] = [DevState.ON, DevState.MOVING, DevState.ALARM];

/** A move under way. */
interface Move {
  readonly target: number;
  /** Aborted by Stop, Off, Init and shutdown. */
  readonly stop: AbortController;
  /** Current speed toward the target, mm/s. */
  speed: number;
}

/** Waits `ms`; false when `signal` ended the wait instead (the move loop's way out). */
async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  }
}

/** A length for messages: at most three decimals, with the unit. */
function mm(value: number): string {
  return `${Number(value.toFixed(3))} ${UNIT}`;
}

/**
 * A simulated motor driving a linear stage, in millimetres.
 *
 * - `position` reads where the stage is (quality ATTR_CHANGING while it moves); writing it, or
 *   running `Move(target)`, starts a move there at `velocity`, ramped by `acceleration` (0: no
 *   ramp). The move runs in the background: the write or command returns at once, the state is
 *   MOVING until the target is reached or `Stop` is run, then ON. Change events of `position`
 *   are pushed at every step (about every 50 ms) and those of State at every change.
 * - Soft limits: a target outside the device properties `MinPosition`–`MaxPosition` is refused
 *   with API_WAttrOutsideLimit.
 * - Limit switches at `LowLimitSwitch` and `HighLimitSwitch` end the travel: a move that reaches
 *   one stops there, the `lowLimit` or `highLimit` flag is set and the state is ALARM, from which
 *   the motor may only move back (further: Motor_AtLimitSwitch). With soft limits inside the
 *   switches (the defaults) this never happens.
 * - `Off` stops any move and switches the motor off; `On` switches it back on. Moves and writes of
 *   `position` are refused while OFF or MOVING (API_CommandNotAllowed, API_AttrNotAllowed).
 * - `Init` stops a move, keeps the position (an encoder does) and reloads the properties, so
 *   `velocity` and `acceleration` return to theirs.
 */
export class Motor extends Device {
  #position = 0;
  #velocity = 10;
  #acceleration = 0;
  #minPosition = -100;
  #maxPosition = 100;
  #lowSwitch = -105;
  #highSwitch = 105;
  #move: Move | undefined;

  @deviceProperty({ dtype: DevDouble, defaultValue: 10, description: "Velocity at start and after Init, mm/s (> 0)" })
  accessor Velocity!: number;

  @deviceProperty({ dtype: DevDouble, defaultValue: 0, description: "Acceleration at start and after Init, mm/s^2 (0: no ramp)" })
  accessor Acceleration!: number;

  @deviceProperty({ dtype: DevDouble, defaultValue: -100, description: "Soft limit: the lowest target accepted, mm" })
  accessor MinPosition!: number;

  @deviceProperty({ dtype: DevDouble, defaultValue: 100, description: "Soft limit: the highest target accepted, mm" })
  accessor MaxPosition!: number;

  @deviceProperty({ dtype: DevDouble, defaultValue: -105, description: "Position of the low limit switch (end of travel), mm" })
  accessor LowLimitSwitch!: number;

  @deviceProperty({ dtype: DevDouble, defaultValue: 105, description: "Position of the high limit switch (end of travel), mm" })
  accessor HighLimitSwitch!: number;

  override initDevice(): void {
    const [velocity, acceleration] = [this.Velocity, this.Acceleration];
    const [minPosition, maxPosition] = [this.MinPosition, this.MaxPosition];
    const [lowSwitch, highSwitch] = [this.LowLimitSwitch, this.HighLimitSwitch];
    const origin = "Motor::init_device";
    const refuse = (text: string): DevFailed => DevFailed.of(Reason.BadConfigurationProperty, `${this.name}: ${text}`, origin);
    if (!(velocity > 0 && Number.isFinite(velocity))) throw refuse(`property Velocity must be > 0, got ${velocity}`);
    if (!(acceleration >= 0 && Number.isFinite(acceleration))) throw refuse(`property Acceleration must be >= 0, got ${acceleration}`);
    if (!(minPosition < maxPosition)) throw refuse(`property MinPosition (${minPosition}) must be below MaxPosition (${maxPosition})`);
    if (!(lowSwitch < highSwitch)) throw refuse(`property LowLimitSwitch (${lowSwitch}) must be below HighLimitSwitch (${highSwitch})`);
    this.#velocity = velocity;
    this.#acceleration = acceleration;
    this.#minPosition = minPosition;
    this.#maxPosition = maxPosition;
    this.#lowSwitch = lowSwitch;
    this.#highSwitch = highSwitch;
    // The stage cannot be beyond a switch: after new switch positions and Init, it sits on one.
    this.#position = Math.min(Math.max(this.#position, lowSwitch), highSwitch);
    // Clients may subscribe to these without polling: this device pushes them itself.
    this.setChangeEvent("position", true, false);
    this.setChangeEvent("State", true);
    this.#enter(this.#restState());
    // After an Init that stopped a move, subscribers learn where the stage stayed.
    this.pushChangeEvent("position", this.#position);
  }

  override deleteDevice(): void {
    // Init and shutdown: the move's task ends at its next step; the server awaits it.
    this.#move?.stop.abort();
    this.#move = undefined;
  }

  /**
   * The stored state as is. cppTango's default rule (ON unless an attribute is out of its alarm
   * band) would turn the motor's own ALARM, a limit switch, back into ON.
   */
  override devState(): DevState {
    return this.getState();
  }

  /** What the motor is doing, in a sentence. */
  override devStatus(): string {
    const at = mm(this.#position);
    switch (this.getState()) {
      case DevState.OFF: return `The motor is OFF at ${at}.`;
      case DevState.MOVING: return `The motor is MOVING to ${mm(this.#move?.target ?? this.#position)} at ${mm(this.#velocity)}/s, now at ${at}.`;
      case DevState.ALARM: return this.#position <= this.#lowSwitch
        ? `The motor is on its low limit switch at ${at}: it can only move up.`
        : `The motor is on its high limit switch at ${at}: it can only move down.`;
      default: return `The motor is ON, at rest at ${at}.`;
    }
  }

  /** Where the stage is; writing it starts a move there (as Move). */
  @attribute({
    dtype: DevDouble, label: "Position", unit: UNIT, format: "%10.3f",
    description: "Position of the stage; writing it starts a move there (refused outside MinPosition..MaxPosition)",
    writeAllowedIn: AT_REST,
  })
  get position(): number | AttrReadValue {
    return this.#move === undefined ? this.#position : attrValue(this.#position, { quality: AttrQuality.ATTR_CHANGING });
  }
  set position(target: number) {
    this.#startMove(target, "position");
  }

  /** Top speed of a move, mm/s; a change applies to a running move at its next step. */
  @attribute({ dtype: DevDouble, label: "Velocity", unit: `${UNIT}/s`, format: "%8.3f", description: "Top speed of a move, > 0" })
  get velocity(): number { return this.#velocity; }
  set velocity(value: number) {
    if (!(value > 0)) {
      throw DevFailed.of(Reason.WAttrOutsideLimit, `Set value for attribute velocity must be > 0, got ${value}`, "Motor::write_velocity");
    }
    this.#velocity = value;
  }

  /** Ramp of a move, mm/s² (min_value 0; 0: no ramp, the motor runs at velocity at once). */
  @attribute({
    dtype: DevDouble, label: "Acceleration", unit: `${UNIT}/s^2`, format: "%8.3f", minValue: 0,
    description: "Acceleration and deceleration of a move; 0: no ramp",
  })
  get acceleration(): number { return this.#acceleration; }
  set acceleration(value: number) { this.#acceleration = value; }

  /** True while the stage is on its low limit switch. */
  @attribute({ dtype: DevBoolean, label: "Low limit", description: "The stage is on its low limit switch" })
  get lowLimit(): boolean { return this.#position <= this.#lowSwitch; }

  /** True while the stage is on its high limit switch. */
  @attribute({ dtype: DevBoolean, label: "High limit", description: "The stage is on its high limit switch" })
  get highLimit(): boolean { return this.#position >= this.#highSwitch; }

  /** Starts an absolute move to `target` mm and returns at once; the state is MOVING until it ends. */
  @command({ dtypeIn: DevDouble, docIn: "Target position, mm", allowedIn: AT_REST })
  Move(target: number): void {
    this.#startMove(target, "Move");
  }

  /** Stops a running move where the stage is (at once: the simulation has no stopping ramp). */
  @command({ allowedIn: POWERED })
  Stop(): void {
    this.#halt(this.#restState());
  }

  /** Switches the motor on (OFF → ON, or ALARM on a limit switch). */
  @command({ allowedIn: [DevState.OFF] })
  On(): void {
    this.#enter(this.#restState());
  }

  /** Stops any move and switches the motor off. */
  @command({ allowedIn: POWERED })
  Off(): void {
    this.#halt(DevState.OFF);
  }

  /** ON, or ALARM while the stage is on a limit switch. */
  #restState(): DevState {
    return this.#position <= this.#lowSwitch || this.#position >= this.#highSwitch ? DevState.ALARM : DevState.ON;
  }

  #enter(state: DevState): void {
    if (state === this.getState()) return;
    this.setState(state);
    this.pushChangeEvent("State", state);
  }

  /** Checks a target against the soft limits and the active switch, then starts the move's task. */
  #startMove(target: number, what: "position" | "Move"): void {
    const origin = what === "Move" ? "Motor::Move" : "Motor::write_position";
    const subject = what === "Move" ? `Move target ${mm(target)}` : `Set value for attribute position (${mm(target)})`;
    if (!Number.isFinite(target)) throw DevFailed.of(Reason.WAttrOutsideLimit, `${subject} is not a finite number`, origin);
    if (target < this.#minPosition) {
      throw DevFailed.of(Reason.WAttrOutsideLimit, `${subject} is below the minimum authorized, MinPosition = ${mm(this.#minPosition)}`, origin);
    }
    if (target > this.#maxPosition) {
      throw DevFailed.of(Reason.WAttrOutsideLimit, `${subject} is above the maximum authorized, MaxPosition = ${mm(this.#maxPosition)}`, origin);
    }
    if ((this.#position <= this.#lowSwitch && target < this.#position) || (this.#position >= this.#highSwitch && target > this.#position)) {
      throw DevFailed.of(REASON_AT_LIMIT_SWITCH, `${subject} is beyond the limit switch the motor is on, at ${mm(this.#position)}`, origin);
    }
    const move: Move = { target, stop: new AbortController(), speed: 0 };
    this.#move = move;
    this.#enter(DevState.MOVING);
    this.runTask(MOVE_TASK, (signal) => this.#run(move, AbortSignal.any([signal, move.stop.signal])));
  }

  /** The move loop: one step every MOVE_STEP_MS, by the time really elapsed, until the end or a stop. */
  async #run(move: Move, signal: AbortSignal): Promise<void> {
    let lastMs = performance.now();
    while (await sleepUnlessAborted(MOVE_STEP_MS, signal)) {
      const nowMs = performance.now();
      const step = advance({ position: this.#position, speed: move.speed }, move.target,
        { velocity: this.#velocity, acceleration: this.#acceleration }, (nowMs - lastMs) / 1000);
      lastMs = nowMs;
      this.#position = Math.min(Math.max(step.position, this.#lowSwitch), this.#highSwitch);
      move.speed = step.speed;
      const isOnSwitch = this.#position !== step.position;
      if (step.isArrived || isOnSwitch) {
        if (isOnSwitch) this.log.warn({ position: this.#position, target: move.target }, "move stopped by a limit switch");
        this.#halt(this.#restState());
        return;
      }
      this.pushChangeEvent("position", attrValue(this.#position, { quality: AttrQuality.ATTR_CHANGING }));
    }
  }

  /** Ends a move, if any (its loop sees the abort), enters `state` and pushes the final position. */
  #halt(state: DevState): void {
    const move = this.#move;
    this.#move = undefined;
    move?.stop.abort();
    this.#enter(state);
    if (move !== undefined) this.pushChangeEvent("position", this.#position);
  }
}
