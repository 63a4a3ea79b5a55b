/**
 * The address clients must dial to reach this server (`host:port`): what DbExportDevice registers
 * and the admin event commands tell. `advertise` is the config's `advertiseAddress` (`host` or
 * `host:port`; in Kubernetes the Service's DNS name, never a pod IP); a host without a port gets
 * the gRPC port; without it, `host` and the gRPC port.
 *
 * @internal
 */
export function advertisedAddress(advertise: string | undefined, host: string, grpcPort: number): string {
  if (advertise === undefined) return `${host}:${grpcPort}`;
  return /:[0-9]+$/.test(advertise) ? advertise : `${advertise}:${grpcPort}`;
}
