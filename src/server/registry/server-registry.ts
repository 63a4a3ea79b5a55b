/** A device as the database registers it: its name and Tango class. */
export interface RegisteredDevice {
  readonly name: string;
  readonly className: string;
}

/**
 * What a DeviceServer asks of its Tango database (spec §9.2, §9.3; DeviceServerOptions.registration):
 * the devices it serves and their properties before the export, the registration of each device
 * it exports, and the unexport at shutdown. A server without a database has none.
 */
export interface ServerRegistry {
  /** Why the server is not ready while `prepare` waits for the database; undefined otherwise. */
  readonly pendingReason: string | undefined;
  /**
   * Before the first export: waits for the database (trying again with backoff until `signal`
   * aborts), adds the configured devices it lacks (DbAddServer), loads the properties into the
   * store, and resolves with the devices the database gives the server beyond `configured`.
   *
   * @throws DevFailed API_DatabaseAccess when the database does not know the server and
   *   `configured` is empty: there is nothing to serve.
   */
  prepare(configured: readonly RegisteredDevice[], signal: AbortSignal): Promise<readonly RegisteredDevice[]>;
  /** Devices were exported (start, DevRestart, Init): registers their address (DbExportDevice). Never throws. */
  exported(devices: readonly RegisteredDevice[]): Promise<void>;
  /** At shutdown, once calls have drained: DbUnExportServer, and no more checks. Never throws. */
  unexport(): Promise<void>;
}
