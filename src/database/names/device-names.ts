/*
 * Device names as the DataBase device accepts them (cppTango DataBase::check_device_name, spec
 * §2.1): an optional `tango:` (or `taco:`) protocol and `//host:port/` prefix, which are dropped,
 * then domain/family/member. Stricter than cppTango, which only looks for two slashes: each field
 * must be non-empty, there are exactly three, and the spec's maximum lengths hold.
 */

/** Longest device name (spec §2.1 item 2). */
export const MAX_DEVICE_NAME_LENGTH = 255;
/** Longest domain, family or member (spec §2.1 item 2). */
export const MAX_DEVICE_FIELD_LENGTH = 85;

/** A device name split into its fields. */
export interface DeviceName {
  /** domain/family/member, as written (the prefix dropped). */
  readonly name: string;
  /** The first field (`sys` in sys/tg_test/1). */
  readonly domain: string;
  /** The second field (`tg_test`). */
  readonly family: string;
  /** The third field (`1`). */
  readonly member: string;
}

/** The device name in `raw`, or undefined when it is not a valid one. */
export function parseDeviceName(raw: string): DeviceName | undefined {
  if (raw.includes("*")) return undefined;
  let name = raw;
  if (name.startsWith("tango:")) name = name.slice(6);
  else if (name.startsWith("taco:")) name = name.slice(5);
  if (name.startsWith("//")) {
    const slash = name.indexOf("/", 2);
    if (slash < 0) return undefined;
    name = name.slice(slash + 1);
  }
  const fields = name.split("/");
  if (fields.length !== 3 || name.length > MAX_DEVICE_NAME_LENGTH) return undefined;
  const [domain, family, member] = fields as [string, string, string];
  if (fields.some((f) => f === "" || f.length > MAX_DEVICE_FIELD_LENGTH)) return undefined;
  return { name, domain, family, member };
}

/**
 * The admin device of a server, `dserver/<server>`, split as cppTango splits it (family the
 * executable, member the instance; a server name without `/` gives an empty member).
 */
export function adminDeviceName(server: string): DeviceName {
  const name = `dserver/${server}`;
  const slash = server.indexOf("/");
  return slash < 0
    ? { name, domain: "dserver", family: server, member: "" }
    : { name, domain: "dserver", family: server.slice(0, slash), member: server.slice(slash + 1) };
}
