/**
 * Metadata keys a client sends about itself (spec §10.7; named in tango.proto's service comment).
 * Shared by the server, which reads them, and the client, which sends them.
 */
export const CLIENT_METADATA = {
  pid: "tango-client-pid",
  host: "tango-client-host",
  language: "tango-client-lang",
  mainClass: "tango-client-main-class",
  /**
   * Which proxy of the client process made the call (a DeviceProxy's random id): two proxies in
   * one process, or two processes with the same PID in two containers, are distinct lock owners.
   */
  proxy: "tango-client-proxy",
} as const;
