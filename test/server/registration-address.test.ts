import { expect } from "chai";
import { advertisedAddress } from "../../src/server/registry/advertised-address.js";

describe("the address a server registers", () => {
  it("is advertiseAddress with its port, or with the gRPC port when it has none", () => {
    expect(advertisedAddress("motor.lab.svc.cluster.local:50051", "pod-7", 40000)).to.equal("motor.lab.svc.cluster.local:50051");
    expect(advertisedAddress("motor.lab.svc.cluster.local", "pod-7", 40000)).to.equal("motor.lab.svc.cluster.local:40000");
    expect(advertisedAddress("[::1]", "pod-7", 40000)).to.equal("[::1]:40000");
    expect(advertisedAddress("[::1]:50051", "pod-7", 40000)).to.equal("[::1]:50051");
  });

  it("is the host name and the gRPC port without advertiseAddress", () => {
    expect(advertisedAddress(undefined, "pod-7", 40000)).to.equal("pod-7:40000");
  });
});
