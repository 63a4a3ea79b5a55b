import type { Operation } from "./invoker.js";

/** An operation of the proxy, for the reconnection rules (a read may be re-sent) and messages. @internal */
export const op = (label: string, isRead: boolean): Operation => ({ label, isRead });

/** The request-reply operations of ProxyCore. @internal */
export const OPS = {
  ping: op("ping", true), info: op("info", true), state: op("state", true), status: op("status", true),
  blackBox: op("black_box", true), commandList: op("command_list_query", true),
  readAttributes: op("read_attributes", true), getConfig: op("get_attribute_config", true),
  writeAttributes: op("write_attributes", false), writeRead: op("write_read_attributes", false),
  setConfig: op("set_attribute_config", false), getProperty: op("get_property", true),
  putProperty: op("put_property", false), deleteProperty: op("delete_property", false),
} as const;
