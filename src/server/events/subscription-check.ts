import {
  CmdArgType, DevFailed, EventType, Reason, TangoErrors, type AttributeEventConfig,
} from "../../core/index.js";
import { pipeOf, runtimeOf, type Device } from "../../device/index.js";
import { eventPropertiesOf, NO_EVENT_PROPERTIES, type EventProperties } from "./event-channel.js";
import { hasThresholds } from "./criteria.js";

/** What a subscription is about, once accepted. */
export interface SubscriptionTarget {
  /** The attribute's declared name (State, Status capitalised); "" for interface-change events. */
  readonly attribute: string;
  /** The attribute's element type (DevState, DevString for State and Status); DevVoid for interface events. */
  readonly dataType: CmdArgType;
  /** The attribute's event properties now (none for State, Status and interface events). */
  readonly events: AttributeEventConfig | undefined;
}

/** Types whose change and archive events need no thresholds (spec §12.2). */
const NO_THRESHOLD_TYPES: ReadonlySet<CmdArgType> = new Set([
  CmdArgType.DevString, CmdArgType.DevBoolean, CmdArgType.DevEncoded, CmdArgType.DevState, CmdArgType.DevEnum,
]);

/** The event properties of a target, parsed. */
export function propertiesOf(target: SubscriptionTarget): EventProperties {
  return target.events === undefined ? NO_EVENT_PROPERTIES : eventPropertiesOf(target.events);
}

/**
 * cppTango's DServer::event_subscription checks (spec §12.2), in its order: the attribute (the
 * pipe, for pipe events) exists; data-ready events need `setDataReadyEvent`; change, archive and alarm events need
 * polling unless device code pushes them, periodic events always need it; change and archive
 * events on a numeric attribute whose criteria are checked need thresholds. Throws the DevFailed
 * a client gets as the subscription's refusal.
 */
export function checkSubscription(device: Device, attribute: string, type: EventType, isPolled: (name: string) => boolean): SubscriptionTarget {
  const origin = "DServer::event_subscription";
  if (type === EventType.INTERFACE_CHANGE_EVENT) return { attribute: "", dataType: CmdArgType.DevVoid, events: undefined };
  if (type === EventType.QUALITY_EVENT) {
    throw DevFailed.of(Reason.NotSupportedFeature,
      "QUALITY_EVENT is obsolete since Tango 8: a quality change makes a CHANGE_EVENT; subscribe to that", origin);
  }
  if (type === EventType.PIPE_EVENT) {
    return { attribute: pipeOf(device, attribute).decl.name, dataType: CmdArgType.DevPipeBlob, events: undefined };
  }
  if (!(type in EventType)) throw DevFailed.of(Reason.InvalidArgs, `Unknown event type ${type}`, origin);
  const rt = runtimeOf(device);
  const lower = attribute.toLowerCase();
  const state = rt.attribute(attribute);
  let target: SubscriptionTarget;
  if (lower === "state" || lower === "status") {
    target = { attribute: lower === "state" ? "State" : "Status", dataType: lower === "state" ? CmdArgType.DevState : CmdArgType.DevString, events: undefined };
  } else if (state !== undefined) {
    target = { attribute: state.decl.name, dataType: state.decl.dtype, events: state.events };
  } else {
    throw TangoErrors.attrNotFound(attribute);
  }
  const pushed = rt.pushed(attribute);
  switch (type) {
    case EventType.USER_EVENT:
    case EventType.ATTR_CONF_EVENT:
      return target;
    case EventType.DATA_READY_EVENT:
      if (pushed.dataReady !== true) throw TangoErrors.attributeNotDataReadyEnabled(target.attribute);
      return target;
    default:
      break;
  }
  const pushedByCode = type === EventType.CHANGE_EVENT ? pushed.change
    : type === EventType.ARCHIVE_EVENT ? pushed.archive : type === EventType.ALARM_EVENT ? pushed.alarm : undefined;
  if (!isPolled(target.attribute) && pushedByCode === undefined) throw TangoErrors.attributePollingNotStarted(target.attribute);
  if ((type === EventType.CHANGE_EVENT || type === EventType.ARCHIVE_EVENT) && !NO_THRESHOLD_TYPES.has(target.dataType)
    && (pushedByCode?.detect ?? true)) {
    const props = propertiesOf(target);
    if (type === EventType.CHANGE_EVENT && !hasThresholds(props.change)) throw TangoErrors.eventPropertiesNotSet(target.attribute);
    if (type === EventType.ARCHIVE_EVENT && !hasThresholds(props.archive) && props.archivePeriodMs === undefined) {
      throw TangoErrors.archiveEventPropertiesNotSet(target.attribute);
    }
  }
  return target;
}
