import { DeviceProxy } from "../../src/client/index.js";

/** DeviceProxies made by a test, all closed by `closeAll` (in afterEach). Its functions may be destructured. */
export function proxyPool(trlOf: (device: string) => string): {
  proxy(device: string, opts?: ConstructorParameters<typeof DeviceProxy>[1]): DeviceProxy;
  /** Adds a proxy made elsewhere (e.g. `DeviceProxy.adminOf`); returns it. */
  track(p: DeviceProxy): DeviceProxy;
  closeAll(): void;
} {
  const proxies: DeviceProxy[] = [];
  const track = (p: DeviceProxy): DeviceProxy => {
    proxies.push(p);
    return p;
  };
  return {
    proxy: (device, opts) => track(new DeviceProxy(trlOf(device), opts)),
    track,
    closeAll: () => {
      for (const p of proxies.splice(0)) p.close();
    },
  };
}
