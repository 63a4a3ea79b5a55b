/**
 * Reading the admin device's DevPollStatus texts (spec §11.4), as cppTango's DeviceProxy does for
 * `get_attribute_poll_period`: each text starts "Polled attribute name = x" (or command), then
 * "Polling period (mS) = p" or "Polling externally triggered".
 *
 * @internal
 */
export function findPolled(texts: readonly string[], kind: "attribute" | "command", name: string): { periodMs: number } | undefined {
  const heading = `polled ${kind} name = ${name.toLowerCase()}`;
  for (const text of texts) {
    const [first = "", second = ""] = text.split("\n");
    if (first.toLowerCase() !== heading) continue;
    const period = /^Polling period \(mS\) = (\d+)$/.exec(second);
    return { periodMs: period === null ? 0 : Number(period[1]) };
  }
  return undefined;
}

/** The polling period of an object in ms; 0 when it is not polled or polled from outside. @internal */
export function pollPeriodOf(texts: readonly string[], kind: "attribute" | "command", name: string): number {
  return findPolled(texts, kind, name)?.periodMs ?? 0;
}
