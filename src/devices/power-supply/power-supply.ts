import {
  attribute, command, DevDouble, DevFailed, DevState, Device, deviceProperty, Reason,
} from "../../device/index.js";

/** Code defaults of the two device properties (used when the config sets none). */
const DEFAULT_MAX_CURRENT_A = 9.5;
const DEFAULT_RESISTANCE_OHM = 2.5;
/** Origin of the property check's error. */
const INIT_ORIGIN = "PowerSupply::init_device";

/** The states in which the output is on: ALARM is ON with an attribute out of its alarm band. */
const OUTPUT_ON_STATES: readonly DevState[] = [DevState.ON, DevState.ALARM];

/**
 * A simulated bench power supply, after the Tango PowerSupply tutorial and PyTango's high-level
 * example: a current set point driving a resistive load, so `voltage` = `resistance` · output.
 *
 * - States: OFF (output off, the initial state), ON (the output follows the set point) and FAULT
 *   (over-current trip). `On` is allowed in OFF, `Off` in ON, `Reset` in FAULT (back to OFF);
 *   any other command in the wrong state fails with API_CommandNotAllowed. While ON, the State
 *   reads ALARM when `current` is past its warning or alarm level (cppTango's rule).
 * - `current` is the set point (written in OFF or ON, refused in FAULT with API_AttrNotAllowed,
 *   and outside 0–10 A with API_WAttrOutsideLimit) and reads the output current: the set point
 *   when ON, 0 otherwise.
 * - A set point above the `max_current` property while the output is on (written in ON, or
 *   switched on by `On`) trips the supply: FAULT, output off, and the Status says why. `Reset`
 *   returns to OFF keeping the set point, so lower it before the next `On`.
 */
export class PowerSupply extends Device {
  /** The current set point, A. Kept across Init, as the attribute's set value is. */
  #setPointA = 0;
  #maxCurrentA = DEFAULT_MAX_CURRENT_A;
  #resistanceOhm = DEFAULT_RESISTANCE_OHM;

  @deviceProperty({
    dtype: DevDouble, defaultValue: DEFAULT_MAX_CURRENT_A,
    description: "Over-current trip level, A: a set point above it trips the output to FAULT",
  })
  accessor max_current!: number;

  @deviceProperty({
    dtype: DevDouble, defaultValue: DEFAULT_RESISTANCE_OHM,
    description: "Resistance of the simulated load, ohm: voltage = resistance * current",
  })
  accessor resistance!: number;

  override initDevice(): void {
    const maxCurrentA = this.max_current;
    const resistanceOhm = this.resistance;
    if (!(Number.isFinite(maxCurrentA) && maxCurrentA > 0)) {
      throw DevFailed.of(Reason.BadConfigurationProperty, `Property max_current of ${this.name} must be > 0, got ${maxCurrentA}`, INIT_ORIGIN);
    }
    if (!(Number.isFinite(resistanceOhm) && resistanceOhm >= 0)) {
      throw DevFailed.of(Reason.BadConfigurationProperty, `Property resistance of ${this.name} must be >= 0, got ${resistanceOhm}`, INIT_ORIGIN);
    }
    this.#maxCurrentA = maxCurrentA;
    this.#resistanceOhm = resistanceOhm;
    // Init is the Tango way out of any state, FAULT included: the output starts off.
    this.setState(DevState.OFF);
    this.setStatus(undefined);
  }

  /** The output current: the set point while the output is on, else 0. */
  @attribute({
    dtype: DevDouble, label: "Current", unit: "A", format: "%8.4f",
    description: "Output current; the written value is the set point",
    minValue: 0, maxValue: 10, maxWarning: 8, maxAlarm: 9,
    writeAllowedIn: [DevState.OFF, DevState.ON, DevState.ALARM],
  })
  get current(): number { return this.#outputA(); }
  set current(amps: number) {
    this.#setPointA = amps;
    this.#tripIfOverCurrent();
  }

  /** The output voltage across the load. */
  @attribute({ dtype: DevDouble, label: "Voltage", unit: "V", format: "%8.4f", description: "Output voltage: resistance * current" })
  get voltage(): number { return this.#resistanceOhm * this.#outputA(); }

  /** Switches the output on; it trips at once when the set point is above max_current. */
  @command({ allowedIn: [DevState.OFF] })
  On(): void {
    this.setState(DevState.ON);
    this.#tripIfOverCurrent();
  }

  /** Switches the output off. */
  @command({ allowedIn: OUTPUT_ON_STATES })
  Off(): void {
    this.setState(DevState.OFF);
  }

  /** Clears an over-current trip: back to OFF, the set point kept. */
  @command({ allowedIn: [DevState.FAULT] })
  Reset(): void {
    this.setState(DevState.OFF);
    this.setStatus(undefined);
  }

  #outputA(): number {
    return OUTPUT_ON_STATES.includes(this.getState()) ? this.#setPointA : 0;
  }

  #tripIfOverCurrent(): void {
    if (!OUTPUT_ON_STATES.includes(this.getState()) || this.#setPointA <= this.#maxCurrentA) return;
    this.setState(DevState.FAULT);
    this.setStatus(`Over-current trip: set point ${this.#setPointA} A is above max_current ${this.#maxCurrentA} A. `
      + "Reset, lower the current, then On.");
    this.log.warn({ setPointA: this.#setPointA, maxCurrentA: this.#maxCurrentA }, "over-current trip");
  }
}
