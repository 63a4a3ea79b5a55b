import { expect } from "chai";
import { formatTrl, parseAddress, parseTrl, type Trl } from "../../src/client/trl.js";
import { DevFailed, Reason } from "../../src/core/index.js";

/** Runs `fn`, expects a DevFailed with `reason` from the TRL parser, and returns it. */
function expectFailure(fn: () => unknown, reason: Reason): DevFailed {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(DevFailed);
    const df = err as DevFailed;
    expect(df.reason, df.message).to.equal(reason);
    expect(df.errors[0].origin).to.equal("DeviceProxy::parse_name");
    return df;
  }
  return expect.fail(`expected DevFailed ${reason}, but parsing succeeded`);
}

function expectSyntaxError(text: string, ...parts: string[]): void {
  const df = expectFailure(() => parseTrl(text), Reason.WrongDeviceNameSyntax);
  expect(df.desc).to.include(JSON.stringify(text));
  for (const part of parts) expect(df.desc).to.include(part);
}

describe("parseTrl", () => {
  it("parses a full TRL with protocol, address and #dbase=no", () => {
    expect(parseTrl("tango://127.0.0.1:10000/sys/tg_test/1#dbase=no")).to.deep.equal({
      host: "127.0.0.1", port: 10000, address: "127.0.0.1:10000", device: "sys/tg_test/1",
      attribute: undefined, property: undefined, dbase: "no",
    });
  });

  it("accepts // in place of tango://", () => {
    const t = parseTrl("//freak:2345/id11/rv/1#dbase=no");
    expect(t).to.include({ host: "freak", port: 2345, address: "freak:2345", device: "id11/rv/1" });
  });

  it("reads host:port without a prefix", () => {
    expect(parseTrl("localhost:50051/sys/tg_test/1")).to.include({
      host: "localhost", port: 50051, address: "localhost:50051", device: "sys/tg_test/1",
    });
  });

  it("lower-cases protocol, host and device but keeps the attribute's case", () => {
    expect(parseTrl("TANGO://Host:1/SYS/TG_test/1/Double_Scalar")).to.deep.equal({
      host: "host", port: 1, address: "host:1", device: "sys/tg_test/1", attribute: "Double_Scalar", property: undefined,
    });
  });

  it("leaves host, port and address undefined for a bare device name", () => {
    expect(parseTrl("sys/tg_test/1")).to.deep.equal({
      host: undefined, port: undefined, address: undefined, device: "sys/tg_test/1", attribute: undefined, property: undefined,
    });
  });

  it("takes an IPv6 host in brackets and returns it without them", () => {
    expect(parseTrl("tango://[::1]:50051/a/b/c")).to.include({ host: "::1", port: 50051, address: "[::1]:50051", device: "a/b/c" });
    expect(parseTrl("[FE80::1]:7/a/b/c")).to.include({ host: "fe80::1", address: "[fe80::1]:7" });
  });

  it("reads an attribute and a property after ->, keeping their case", () => {
    expect(parseTrl("id11/rv/1/temp->label")).to.include({ device: "id11/rv/1", attribute: "temp", property: "label" });
    expect(parseTrl("sr/d-ct/1->Address")).to.include({ device: "sr/d-ct/1", attribute: undefined, property: "Address" });
    expect(parseTrl("a/b/c/double_scalar->__value").property).to.equal("__value");
  });

  it("reads the #dbase= modifier case-insensitively, and leaves dbase out without one", () => {
    expect(parseTrl("tango://h:1/a/b/c#DBASE=No")).to.have.property("dbase", "no");
    expect(parseTrl("tango://h:1/a/b/c#dbase=YES")).to.have.property("dbase", "yes");
    expect(parseTrl("tango://h:1/a/b/c")).to.not.have.property("dbase");
    expect(parseTrl("a/b/c#dbase=yes")).to.include({ dbase: "yes", address: undefined });
  });

  it("reads a name of one field as an alias, keeping its case", () => {
    expect(parseTrl("My-Alias")).to.deep.equal({
      host: undefined, port: undefined, address: undefined, device: "My-Alias", attribute: undefined, property: undefined,
      isAlias: true,
    });
    expect(parseTrl("tango://db:10000/my_alias#dbase=yes")).to.include({ address: "db:10000", device: "my_alias", isAlias: true, dbase: "yes" });
    expect(parseTrl("//db:10000/my_alias")).to.include({ address: "db:10000", isAlias: true });
  });

  it("accepts fields of 85 characters and a device name of 255", () => {
    const f = "x".repeat(85);
    expect(parseTrl(`${f}/${f}/${"x".repeat(83)}`).device).to.have.length(255);
  });
});

describe("parseTrl errors", () => {
  it("rejects an empty or blank name with API_WrongDeviceNameSyntax", () => {
    expectSyntaxError("", "empty");
    expectSyntaxError("   ", "empty");
  });

  it("rejects a protocol other than tango with API_UnsupportedProtocol naming it", () => {
    for (const [text, protocol] of [["http://h:1/a/b/c", "http"], ["taco://h:1/a/b/c", "taco"]] as const) {
      const df = expectFailure(() => parseTrl(text), Reason.UnsupportedProtocol);
      expect(df.desc).to.include(`"${protocol}"`).and.include(JSON.stringify(text));
    }
  });

  it("rejects other #dbase= values and other modifiers with API_UnsupportedDBaseModifier", () => {
    for (const text of ["a/b/c#dbase=maybe", "a/b/c#dbase=", "a/b/c#foo", "tango://h:1/a/b/c#dbase=no#x"]) {
      const df = expectFailure(() => parseTrl(text), Reason.UnsupportedDBaseModifier);
      expect(df.desc).to.include(JSON.stringify(text));
    }
  });

  it("rejects a host without a port", () => {
    expectSyntaxError("tango://freak/id11/rv/1", "\"freak\" has no port");
    expectSyntaxError("//sys/tg_test/1", "has no port");
    expectSyntaxError("tango://[::1]/a/b/c", "has no port");
  });

  it("rejects a port that is not an integer from 1 to 65535", () => {
    for (const port of ["", "0", "65536", "abc", "1.5", "-1", " 1"]) {
      expectSyntaxError(`host:${port}/a/b/c`, "port", "1 to 65535");
    }
  });

  it("rejects a bad host", () => {
    expectSyntaxError(":1/a/b/c", "host is empty");
    expectSyntaxError("tango://::1:1/a/b/c", "brackets");
    expectSyntaxError("tango://[::1:1/a/b/c", "closing ]");
    expectSyntaxError("tango://[nope]:1/a/b/c", "not an IPv6 address");
    expectSyntaxError("tango://my host:1/a/b/c", "not a valid host name");
  });

  it("rejects a missing device name after the address", () => {
    expectSyntaxError("tango://h:1", "missing");
    expectSyntaxError("tango://h:1/", "missing");
  });

  it("rejects empty fields", () => {
    expectSyntaxError("a//c", "family field is empty");
    expectSyntaxError("a/b/c/", "attribute field is empty");
    expectSyntaxError("/b/c", "domain field is empty");
  });

  it("rejects two fields, and an alias with #dbase=no, explaining that aliases need a database", () => {
    expectSyntaxError("tango://h:1/a/b", "three fields domain/family/member", "alias");
    expectSyntaxError("a/b", "three fields");
    const df = expectFailure(() => parseTrl("tango://h:1/my_alias#dbase=no"), Reason.WrongDeviceNameSyntax);
    expect(df.desc).to.equal(`Wrong device name syntax in "tango://h:1/my_alias#dbase=no": "my_alias" is an alias ` +
      "(one field), and aliases need a Tango database: with #dbase=no a device name has three fields domain/family/member");
  });

  it("rejects #dbase=no without host:port, and an alias with -> or a character aliases may not hold", () => {
    expectSyntaxError("sys/tg_test/1#dbase=no", "#dbase=no names the device server itself", "host:port");
    expectSyntaxError("my_alias->label", "an alias cannot be followed by \"->\"");
    expectSyntaxError("tango://h:1/my:alias", "contains \":\"");
    expectSyntaxError("my alias", "whitespace");
    expectSyntaxError("x".repeat(256), "more than 255");
  });

  it("rejects more than four fields", () => {
    expectSyntaxError("a/b/c/d/e", "at most four fields");
  });

  it("rejects whitespace and control characters in a field", () => {
    expectSyntaxError("a b/c/d", "domain", "whitespace");
    expectSyntaxError("a/b/c ", "member", "whitespace");
    expectSyntaxError("a/b\u0001/c", "family", "control");
    expectSyntaxError("a/b\n/c", "control");
  });

  it("rejects : inside a device field", () => {
    expectSyntaxError("a/b:x/c", "family field \"b:x\" contains \":\"");
    expectSyntaxError("tango://h:1/a/b/c:d", "member");
  });

  it("rejects a field longer than 85 characters and a device name longer than 255", () => {
    expectSyntaxError(`${"x".repeat(86)}/b/c`, "domain field is 86 characters long");
    const f = "x".repeat(85);
    // 85 × 3 + 2 separators is 257: the field limits alone do not keep the name within 255.
    const df = expectFailure(() => parseTrl(`${f}/${f}/${f}`), Reason.WrongDeviceNameSyntax);
    expect(df.desc).to.include("more than 255");
  });

  it("rejects an attribute name outside [0-9A-Za-z_]", () => {
    expectSyntaxError("a/b/c/temp-1", "attribute name \"temp-1\" is invalid");
    expectSyntaxError("a/b/c/t:x", "attribute name");
    expectSyntaxError("a/b/c/t x", "attribute name");
  });

  it("rejects an empty or invalid property name", () => {
    expectSyntaxError("a/b/c->", "property name");
    expectSyntaxError("a/b/c->1abc", "property name");
    expectSyntaxError("a/b/c->x/y", "property name");
  });
});

describe("formatTrl", () => {
  it("writes the canonical TRL with #dbase=no", () => {
    expect(formatTrl({ address: "127.0.0.1:10000", device: "sys/tg_test/1" })).to.equal("tango://127.0.0.1:10000/sys/tg_test/1#dbase=no");
    expect(formatTrl({ address: "[::1]:1", device: "a/b/c", attribute: "Temp" })).to.equal("tango://[::1]:1/a/b/c/Temp#dbase=no");
  });

  it("writes a bare name when there is no address", () => {
    expect(formatTrl({ address: undefined, device: "a/b/c", attribute: "x" })).to.equal("a/b/c/x");
  });

  it("writes #dbase=yes for a database's address", () => {
    expect(formatTrl({ address: "db:10000", device: "a/b/c", dbase: "yes" })).to.equal("tango://db:10000/a/b/c#dbase=yes");
  });

  it("round-trips through parseTrl", () => {
    const texts = [
      "tango://127.0.0.1:10000/sys/tg_test/1#dbase=no", "//freak:2345/id11/rv/1#dbase=no", "localhost:50051/sys/tg_test/1#dbase=yes",
      "TANGO://Host:1/SYS/TG_test/1/Double_Scalar#dbase=no", "sys/tg_test/1", "tango://[::1]:50051/a/b/c#dbase=no", "a/b/c/Temp",
    ];
    for (const text of texts) {
      const t: Trl = parseTrl(text);
      expect(parseTrl(formatTrl(t)), text).to.deep.equal(t);
    }
  });
});

describe("parseAddress", () => {
  it("parses host:port and [v6]:port, lower-casing the host", () => {
    expect(parseAddress("LocalHost:50051")).to.deep.equal({ host: "localhost", port: 50051, address: "localhost:50051" });
    expect(parseAddress("[::1]:50051")).to.deep.equal({ host: "::1", port: 50051, address: "[::1]:50051" });
  });

  it("rejects a missing or bad port and a bare IPv6 address with API_WrongDeviceNameSyntax", () => {
    for (const text of ["localhost", "localhost:", "localhost:70000", "::1:50051", "[::1]", "", "h:1/x"]) {
      const df = expectFailure(() => parseAddress(text), Reason.WrongDeviceNameSyntax);
      expect(df.desc).to.include(JSON.stringify(text));
    }
  });
});
