import type { SqlRunner } from "../sql/sql-db.js";
import { requireExactLength } from "./db-errors.js";
import {
  CLASS_ATTR_PROPS, CLASS_PIPE_PROPS, CLASS_PROPS, DEVICE_ATTR_PROPS, DEVICE_PIPE_PROPS, DEVICE_PROPS, OBJECT_PROPS,
  nameOrder,
} from "./property-tables.js";
import { readOwners, type OwnerProperties, type StoredProperty } from "./property-reads.js";

/*
 * DbGetDataForServerCache: everything a device server reads at start, in one reply, laid out as
 * cppTango's stored procedure ds_start (release 1.13) lays it out and its server cache parses it:
 *
 *   ["release 1.13",]                 only when the host argin ends in %%<Tango release ≥ 9>
 *   admin device import               name, IOR, version, server, host, exported, pid, class
 *                                     (or name, "Not Found", and nothing more)
 *   event factory import              notifd/factory/<host>: name, IOR, version, host, exported, pid
 *   server event channel import       dserver/<server>, the same (or name, "Not Found")
 *   DServer, Default class properties owner, count, (name, value count, values...)...
 *   admin device properties
 *   server name, class count
 *   per class (DServer aside):        class properties, class attribute properties,
 *                                     [class pipe properties,] class, device count, devices...,
 *                                     per device: its properties, attribute properties
 *                                     [, pipe properties]
 *   CtrlSystem free properties
 *   [access control device import]    when CtrlSystem's Services names an AccessControl device
 *
 * Every block is read in one query per table for the whole server, so a server of 1,000 devices
 * costs the same dozen statements as a server of one.
 */

/** The release cppTango's ds_start procedure reports; a server cache checks it. */
export const STORED_PROCEDURE_RELEASE = "release 1.13";

/** The Tango release from which the reply carries pipe properties (ds_start's `ds_pipe`). */
const FIRST_RELEASE_WITH_PIPES = 9;

const NOT_FOUND = "Not Found";

type DeviceRow = {
  readonly name: string;
  readonly class: string;
  readonly ck: string;
};

/** The DbGetDataForServerCache reply for argin `[server, host[%%release]]`. */
export async function readServerCache(db: SqlRunner, argin: readonly string[]): Promise<string[]> {
  requireExactLength(argin, 2, "Incorrect no. of input arguments, needs 2 (ds_name,host_name)", "DbGetDataForServerCache");
  const [server = "", hostArg = ""] = argin;
  const cut = hostArg.indexOf("%%");
  const host = cut < 0 ? hostArg : hostArg.slice(0, cut);
  // ds_start compares the release as MySQL does a string with a number: its leading number.
  const withPipes = cut >= 0 && (Number.parseFloat(hostArg.slice(cut + 2)) || 0) >= FIRST_RELEASE_WITH_PIPES;
  const admin = `dserver/${server}`;

  const out: string[] = withPipes ? [STORED_PROCEDURE_RELEASE] : [];
  const adminImport = await importDevice(db, admin);
  out.push(...adminImport);
  if (adminImport[1] === NOT_FOUND) return out;
  out.push(...await importEvent(db, `notifd/factory/${host}`), ...await importEvent(db, admin));

  const devices = await db.query<DeviceRow>(
    `SELECT name, class, lower(class) AS ck FROM device WHERE lower(server) = lower($1) AND lower(class) <> 'dserver'
     ORDER BY ${nameOrder("class")}, lower(class), ${nameOrder("name")}`, [server]);
  const classes: { name: string; devices: string[] }[] = [];
  let lastKey: string | undefined;
  for (const d of devices) {
    if (d.ck !== lastKey) classes.push({ name: d.class, devices: [] });
    classes.at(-1)?.devices.push(d.name);
    lastKey = d.ck;
  }
  const classNames = classes.map((c) => c.name);
  const deviceNames = classes.flatMap((c) => c.devices);
  const none = (): OwnerProperties[] => [];
  const [classProps, classAttrs, classPipes, devProps, devAttrs, devPipes, ctrl] = await Promise.all([
    readOwners(db, CLASS_PROPS, ["DServer", "Default", ...classNames]),
    readOwners(db, CLASS_ATTR_PROPS, classNames),
    withPipes ? readOwners(db, CLASS_PIPE_PROPS, classNames) : none(),
    readOwners(db, DEVICE_PROPS, [admin, ...deviceNames]),
    readOwners(db, DEVICE_ATTR_PROPS, deviceNames),
    withPipes ? readOwners(db, DEVICE_PIPE_PROPS, deviceNames) : none(),
    readOwners(db, OBJECT_PROPS, ["CtrlSystem"]),
  ]);

  out.push(...propsBlock("DServer", classProps[0]), ...propsBlock("Default", classProps[1]), ...propsBlock(admin, devProps[0]));
  out.push(server, String(classes.length));
  let d = 0;
  classes.forEach((cls, c) => {
    out.push(...propsBlock(cls.name, classProps[c + 2]), ...subsBlock(cls.name, classAttrs[c]));
    if (withPipes) out.push(...subsBlock(cls.name, classPipes[c]));
    out.push(cls.name, String(cls.devices.length), ...cls.devices);
    for (const dev of cls.devices) {
      out.push(...propsBlock(dev, devProps[d + 1]), ...subsBlock(dev, devAttrs[d]));
      if (withPipes) out.push(...subsBlock(dev, devPipes[d]));
      d += 1;
    }
  });
  out.push(...propsBlock("CtrlSystem", ctrl[0]));
  const accessControl = accessControlDevice(ctrl[0]?.props ?? []);
  if (accessControl !== undefined) out.push(...await importDevice(db, accessControl));
  return out;
}

/** owner, property count, then each property's name, value count and values. */
function propsBlock(owner: string, p: OwnerProperties | undefined): string[] {
  const props = p?.props ?? [];
  return [owner, String(props.length), ...props.flatMap(propertyElements)];
}

/** owner, attribute (or pipe) count, then each one's name, property count and properties. */
function subsBlock(owner: string, p: OwnerProperties | undefined): string[] {
  const subs = p?.subs ?? [];
  return [owner, String(subs.length), ...subs.flatMap((s) => [s.name, String(s.props.length), ...s.props.flatMap(propertyElements)])];
}

function propertyElements(p: StoredProperty): string[] {
  return [p.name, String(p.values.length), ...p.values];
}

/** ds_start's import_device: the name as asked, then the device's row, or "Not Found". */
async function importDevice(db: SqlRunner, name: string): Promise<string[]> {
  const rows = await db.query<{ ior: string; version: string; server: string; host: string; exported: boolean; pid: number; class: string }>(
    "SELECT ior, version, server, host, exported, pid, class FROM device WHERE lower(name) = lower($1)", [name]);
  const r = rows[0];
  if (r === undefined) return [name, NOT_FOUND];
  return [name, r.ior, r.version, r.server, r.host, r.exported ? "1" : "0", String(r.pid), r.class];
}

/**
 * ds_start's import_event: the channel as asked, then its row, or "Not Found"; a name with a dot
 * that is not found is looked up again as the part before the dot.
 */
async function importEvent(db: SqlRunner, name: string): Promise<string[]> {
  const dot = name.indexOf(".");
  const rows = await db.query<{ ior: string; version: string; host: string; exported: boolean; pid: number }>(
    `SELECT ior, version, host, exported, pid FROM event WHERE lower(name) = lower($1) OR lower(name) = lower($2)
     ORDER BY lower(name) = lower($1) DESC LIMIT 1`, [name, dot < 0 ? name : name.slice(0, dot)]);
  const r = rows[0];
  if (r === undefined) return [name, NOT_FOUND];
  return [name, r.ior, r.version, r.host, r.exported ? "1" : "0", String(r.pid)];
}

/**
 * The access control device a CtrlSystem `Services` value names (`AccessControl/tango:<device>`,
 * the device possibly a full `tango://host:port/d/f/m`), as ds_start's obj_prop finds it.
 */
function accessControlDevice(props: readonly StoredProperty[]): string | undefined {
  let device: string | undefined;
  for (const p of props) {
    if (p.name.toLowerCase() !== "services") continue;
    for (const v of p.values) {
      if (!v.toLowerCase().includes("accesscontrol/tango:")) continue;
      device = v.slice("AccessControl/tango:".length);
      if (device.includes("tango://")) device = device.split("/").slice(-3).join("/");
    }
  }
  return device;
}
