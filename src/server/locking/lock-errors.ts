import { DevFailed, Reason } from "../../core/index.js";

/** What a gRPC caller with no identity (grpcurl without metadata) must send to lock. */
const CLIENT_IDENTITY_HINT = "This server knows a client by the gRPC metadata it sends with each call: "
  + "send tango-client-pid (its process id) and tango-client-host, e.g. grpcurl -H 'tango-client-pid: 4242' -H 'tango-client-host: mypc'";

/**
 * The locking errors with cppTango 9.3.4's reasons, descriptions and origins (read off a real
 * TangoTest; spec §10.8, §18.1). `device` is the device's configured name unless said otherwise.
 *
 * @internal
 */
export const LockErrors = {
  /** LockDevice while another client holds a valid lock (`DeviceImpl::lock`). */
  alreadyLocked: (device: string): DevFailed =>
    DevFailed.of(Reason.DeviceLocked, `Device ${device} is already locked by another client`, "Device_Impl::lock"),

  /** ReLockDevices of a device another client holds (`DeviceImpl::relock`). */
  relockedByOther: (device: string): DevFailed =>
    DevFailed.of(Reason.DeviceLocked, `${device}: Device ${device} is already locked by another client`, "Device_Impl::relock"),

  /** ReLockDevices of a device nobody holds (any more). */
  notLocked: (device: string): DevFailed =>
    DevFailed.of(Reason.DeviceNotLocked, `${device}: Device ${device} is not locked. Can't re-lock it`, "Device_Impl::relock"),

  /** UnLockDevice without force by a client that is not the owner. */
  unlockByOther: (device: string): DevFailed =>
    DevFailed.of(Reason.DeviceLocked, `Device ${device} is locked by another client, can't unlock it`, "Device_Impl::unlock"),

  /** A checked request (`method`: cppTango's operation, e.g. `command_inout4`) from a client that is not the owner. */
  locked: (device: string, method: string): DevFailed =>
    DevFailed.of(Reason.DeviceLocked, `Device ${device} is locked by another client`, `Device_Impl::${method}`),

  /** A checked request from the owner of a lock that was forced open (or whose connection was lost). */
  unlocked: (device: string, method: string): DevFailed =>
    DevFailed.of(Reason.DeviceUnlocked, `Device ${device} has been unlocked by an administrative client!!!`, `Device_Impl::${method}`),

  /** An admin command acting on a device another client holds (`DServer::check_lock_owner`; `device` as the caller named it). */
  lockedForAdmin: (device: string, command: string): DevFailed =>
    DevFailed.of(Reason.DeviceLocked,
      `Device ${device} is locked by another client. Your request is not allowed while a device is locked.`, `DServer::${command}`),

  /** LockDevice of the admin device. */
  adminUnlockable: (): DevFailed =>
    DevFailed.of(Reason.DeviceUnlockable, "Impossible to lock device server administration device", "DServer::lock_device"),

  /** LockDevice of a DataBase device. */
  databaseUnlockable: (): DevFailed =>
    DevFailed.of(Reason.DeviceUnlockable, "Impossible to lock database device", "DServer::lock_device"),

  /**
   * A locking command from a caller that sent no client identity (cppTango: a pre-V7 client).
   * `action` is cppTango's verb (`lock`, `un-lock`, `re_lock`); over gRPC the description says
   * which metadata to send, over REST that a lock needs a gRPC client.
   */
  clientTooOld: (action: string, origin: string, transport: string): DevFailed =>
    DevFailed.of(Reason.ClientTooOld,
      `Your client cannot ${action} devices. You are using a too old Tango release. Please, update to tango V7 or more. `
      + (transport === "http" ? "A REST request carries no client identity: lock devices through a gRPC client" : CLIENT_IDENTITY_HINT),
      origin),

  /** A locking command run by the process itself, which has no client. */
  cantGetClientIdent: (origin: string): DevFailed =>
    DevFailed.of(Reason.CantGetClientIdent, "Cannot retrieve client identification", origin),
} as const;
