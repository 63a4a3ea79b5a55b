export { DeviceServer } from "./device-server.js";
export type { DeviceServerOptions, Readiness } from "./device-server.js";
export type { DeviceClass } from "./device-entry.js";
export { ServerConfig, ClassConfig, DeviceConfig, DEFAULT_SERVER_CONFIG } from "./config.js";
export type { RequestApi, CallContext, ClientIdentity, ReadOptions } from "./request-api.js";
export { formatBlackBoxRecord } from "./blackbox.js";
export { Monitor } from "./monitor.js";
export { HubEvent, Subscription } from "./events/subscription.js";
export type { EventSink, EventBatch } from "./events/subscription.js";
