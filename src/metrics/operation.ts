/**
 * The request API's operations as tango_requests_total's `operation` label spells them: the IDL
 * operation names without their version suffix (`command_inout`, not `command_inout_4`; spec
 * §10.2), plus the property operations, event subscriptions and the pipe operations. Their index is the slot a device's request count uses.
 */
export const OPERATION_NAMES = [
  "ping", "info", "state", "status", "black_box", "command_inout", "command_list_query", "command_query",
  "read_attributes", "write_attributes", "write_read_attributes", "get_attribute_config", "set_attribute_config",
  "get_property", "put_property", "delete_property", "read_attribute_history", "command_inout_history",
  "subscribe_event", "get_pipe_config", "set_pipe_config", "read_pipe", "write_pipe", "write_read_pipe",
] as const;

/** One operation's label value. */
export type OperationName = (typeof OPERATION_NAMES)[number];

/** An operation's slot in a device's request counts: `Operation.command_inout`. */
export const Operation: { readonly [K in OperationName]: number } = Object.freeze(
  Object.fromEntries(OPERATION_NAMES.map((name, i) => [name, i])) as Record<OperationName, number>,
);
