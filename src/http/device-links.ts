/**
 * The links of one device's REST resources (Tango REST's `href` strings and `_links`), as paths
 * under `prefix` (e.g. `/api/v1`); each name part is percent-encoded.
 */
export interface DeviceLinks {
  /** `<prefix>/devices` */
  readonly devices: string;
  /** `<prefix>/devices/<domain>/<family>/<member>` */
  readonly device: string;
  readonly state: string;
  readonly attributes: string;
  readonly commands: string;
  attribute(name: string): string;
  attributeValue(name: string): string;
  attributeInfo(name: string): string;
  command(name: string): string;
}

/** Links of the device `name` (`domain/family/member`). */
export function deviceLinks(prefix: string, name: string): DeviceLinks {
  const devices = `${prefix}/devices`;
  const device = `${devices}/${name.split("/").map(encodeURIComponent).join("/")}`;
  const attributes = `${device}/attributes`;
  const commands = `${device}/commands`;
  const attribute = (a: string): string => `${attributes}/${encodeURIComponent(a)}`;
  return {
    devices, device, attributes, commands,
    state: `${device}/state`,
    attribute,
    attributeValue: (a) => `${attribute(a)}/value`,
    attributeInfo: (a) => `${attribute(a)}/info`,
    command: (c) => `${commands}/${encodeURIComponent(c)}`,
  };
}
