import { PipeErrors, type PipeConfig, type PipeConfigUpdate } from "../core/index.js";
import { PIPE_NO_DESCRIPTION, pipeOf, runtimeOf, type Device, type PipeState } from "../device/index.js";

/*
 * get_pipe_config_5 and set_pipe_config_5 (spec §8 item 1): a pipe's label and description change
 * at run time; its name, display level and write type are fixed. Not kept across restarts: the
 * server's store keeps attribute properties only (a Tango database keeps pipe properties apart).
 */

/** cppTango's AllPipe: the one name that asks for every pipe. */
const ALL_PIPES = "All pipes";
/** cppTango's AlrmValueNotSpec and NotANumber: the words that put a property back to a default. */
const NOT_SPECIFIED = "not specified";
const NAN = "nan";

/** The configurations of the pipes named (any case), or of every pipe for none or "All pipes". @internal */
export function pipeConfigs(device: Device, names: readonly string[]): PipeConfig[] {
  if (names.length === 0 || (names.length === 1 && names[0] === ALL_PIPES)) return [...runtimeOf(device).pipes()].map((p) => p.config());
  return names.map((n) => pipeOf(device, n).config());
}

/** A new value of a label or description, as cppTango's Pipe::set_one_str_prop reads it. */
function nextValue(given: string | undefined, now: string, userDefault: string | undefined, libDefault: string): string {
  if (given === undefined) return now;
  const lower = given.toLowerCase();
  if (lower === NOT_SPECIFIED) return libDefault;
  if (given === "" || lower === NAN) return userDefault ?? libDefault;
  return given;
}

/**
 * Applies label and description changes, all or none: every pipe is looked up before any is
 * changed. Throws API_PipeNotFound (for a device without pipes, cppTango's "The device does not
 * have any pipe"). Returns the pipes changed. @internal
 */
export function changePipeConfig(device: Device, updates: readonly PipeConfigUpdate[]): PipeState[] {
  if (runtimeOf(device).pipes().next().done === true) throw PipeErrors.noPipes("Device_5Impl::set_pipe_config_5");
  const targets = updates.map((u) => pipeOf(device, u.name));
  targets.forEach((p, i) => {
    const u = updates[i];
    p.label = nextValue(u?.label, p.label, p.decl.userLabel, p.decl.name);
    p.description = nextValue(u?.description, p.description, p.decl.userDescription, PIPE_NO_DESCRIPTION);
  });
  return targets;
}
