/**
 * The simulated axis's kinematics: a trapezoidal velocity profile, pure and unit-free (position in
 * the motor's unit, time in seconds). The Motor device calls `advance` once per step of a move.
 */

/** Where the axis is and how fast it goes (always toward the target). */
export interface AxisState {
  /** Position, in the motor's unit. */
  readonly position: number;
  /** Speed, unit/s, ≥ 0. */
  readonly speed: number;
}

/** How the axis may move. */
export interface MotionProfile {
  /** Top speed, unit/s, > 0. */
  readonly velocity: number;
  /** Acceleration and deceleration, unit/s²; 0 means no ramp: the axis runs at `velocity` at once. */
  readonly acceleration: number;
}

/** One step's outcome: the new state, and whether the target was reached. */
export interface MotionStep extends AxisState {
  readonly isArrived: boolean;
}

/**
 * Moves the axis toward `target` for `dtS` seconds: it speeds up by `acceleration`, never beyond
 * `velocity`, and slows down in time to stop on the target (the speed never exceeds
 * √(2·a·distance left)). Arrives exactly on the target, never past it.
 */
export function advance(axis: AxisState, target: number, profile: MotionProfile, dtS: number): MotionStep {
  const remaining = target - axis.position;
  const distance = Math.abs(remaining);
  if (distance === 0) return { position: target, speed: 0, isArrived: true };
  const dt = Math.max(0, dtS);
  const { velocity, acceleration } = profile;
  const speed = acceleration > 0
    ? Math.min(velocity, axis.speed + acceleration * dt, Math.sqrt(2 * acceleration * distance))
    : velocity;
  const travel = speed * dt;
  // Below a nanometre-sized rest the braking speed shrinks with the distance and would only creep on.
  if (travel >= distance || distance < 1e-9) return { position: target, speed: 0, isArrived: true };
  return { position: axis.position + Math.sign(remaining) * travel, speed, isArrived: false };
}
