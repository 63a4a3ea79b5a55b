import { POLL_STATUS_DELTAS } from "../../core/defaults.js";
import type { DevError } from "../../core/index.js";
import type { PolledObject } from "./polled-object.js";

/** "Data not updated since …" as cppTango words it (spec §11.4). */
function sinceText(diffSeconds: number): string {
  if (diffSeconds < 1) return `${Math.trunc(diffSeconds * 1000)} mS`;
  if (diffSeconds < 60) {
    const sec = Math.trunc(diffSeconds);
    return `${sec} S and ${Math.trunc((diffSeconds - sec) * 1000)} mS`;
  }
  const min = Math.trunc(diffSeconds / 60);
  const sec = Math.trunc(diffSeconds - 60 * min);
  const ms = Math.trunc((diffSeconds - Math.trunc(diffSeconds)) * 1000);
  let text = `${min} MN`;
  if (sec !== 0) text += ` ,${sec} S`;
  if (ms !== 0) text += ` and ${ms} mS`;
  return text;
}

function lastErrors(object: PolledObject): readonly DevError[] | undefined {
  const errors = object.ring.newest()?.value.errors;
  return errors !== undefined && errors.length > 0 ? errors : undefined;
}

/** One object's DevPollStatus text; `together` are the attributes of its period read in one pass. */
function objectStatus(object: PolledObject, together: readonly string[], nowMs: number): string {
  const isCommand = object.kind === "command";
  let text = `Polled ${isCommand ? "command" : "attribute"} name = ${object.name}`;
  text += object.periodMs === 0 ? "\nPolling externally triggered" : `\nPolling period (mS) = ${object.periodMs}`;
  text += `\nPolling ring buffer depth = ${object.ring.depth}`;
  const newest = object.ring.newest();
  if (newest === undefined) return `${text}\nNo data recorded yet`;
  if (object.neededMs === 0) {
    text += "\nThe polling buffer is externally filled in";
  } else if (object.periodMs !== 0) {
    const what = isCommand ? "command execution"
      : together.length > 1 ? `attributes (${together.join(" + ")}) reading` : "attribute reading";
    text += `\nTime needed for the last ${what} (mS) = ${object.neededMs.toFixed(3)}`;
    text += `\nData not updated since ${sinceText((nowMs - newest.timeMs - object.neededMs) / 1000)}`;
  }
  const deltas = object.ring.deltasMs(POLL_STATUS_DELTAS);
  if (deltas.length > 0) text += `\nDelta between last records (in mS) = ${deltas.map((d) => Math.trunc(d)).join(", ")}`;
  const errors = lastErrors(object);
  if (errors !== undefined) {
    const [root] = errors as [DevError, ...DevError[]];
    text += `\nLast ${isCommand ? "command execution" : "attribute read"} FAILED :`;
    text += `\n\tReason = ${root.reason}\n\tDesc = ${root.desc}\n\tOrigin = ${root.origin}`;
  }
  return text;
}

/**
 * DevPollStatus (spec §11.4, cppTango `DServer::dev_poll_status`): one text per polled object,
 * commands first, then attributes; State and Status, polled as attributes, are listed again
 * among the commands with "attribute" replaced by "command", as cppTango does for old clients.
 */
export function pollStatus(objects: readonly PolledObject[], nowMs: number): string[] {
  const commands: string[] = [];
  const attributes: string[] = [];
  for (const object of objects) {
    const together = object.kind === "attribute" && object.periodMs !== 0
      ? objects.filter((o) => o.kind === "attribute" && o.periodMs === object.periodMs).map((o) => o.name)
      : [object.name];
    const text = objectStatus(object, together, nowMs);
    if (object.kind === "command") commands.push(text);
    else {
      attributes.push(text);
      if (object.key === "state" || object.key === "status") commands.push(text.replaceAll("attribute", "command"));
    }
  }
  return [...commands, ...attributes];
}
