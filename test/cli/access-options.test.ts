import { expect } from "chai";
import { Registry } from "prom-client";
import { accessOptionsFrom } from "../../src/cli/access-options.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/cli/load-config.js";
import { isLoopbackHost, openAccessOf, registerOpenAccessMetric } from "../../src/cli/open-access.js";
import { AccessPolicy, type ServerConfig } from "../../src/server/index.js";

const configWith = (access: ServerConfig["access"]): ServerConfig => ({ access } as ServerConfig);

describe("accessOptionsFrom", () => {
  it("reads each secret from token, tokenEnv or tokenFile, and adds TANGO_ADMIN_TOKEN as the ADMIN token admin", () => {
    const opts = accessOptionsFrom(configWith({
      anonymous: "NONE",
      tokens: [
        { name: "a", token: "inline-secret-0123456", rights: "READ" },
        { name: "b", tokenEnv: "B_TOKEN", rights: "WRITE" },
        { name: "c", tokenFile: "/run/secrets/c", rights: [{ devices: "sys/*", right: "WRITE" }] },
      ],
      certificates: [{ subject: "robot", rights: "ADMIN" }],
    }), { B_TOKEN: " from-env ", TANGO_ADMIN_TOKEN: "the-admin" }, "server.yaml", (path) => (path === "/run/secrets/c" ? "from-file\n" : ""));
    expect(opts.tokens?.map((t) => [t.name, t.secret])).to.deep.equal([["a", "inline-secret-0123456"], ["b", "from-env"], ["c", "from-file"], ["admin", "the-admin"]]);
    expect(opts.anonymous).to.equal("NONE");
    expect(opts.certificates).to.have.length(1);
  });

  it("reports every token whose secret is missing, ambiguous or unreadable, never a secret", () => {
    const err = (() => {
      try {
        accessOptionsFrom(configWith({
          tokens: [
            { name: "none", rights: "READ" },
            { name: "two", token: "inline-secret-0123456", tokenEnv: "X", rights: "READ" },
            { name: "unset", tokenEnv: "UNSET_TOKEN", rights: "READ" },
            { name: "unreadable", tokenFile: "/nope", rights: "READ" },
            { name: "admin", token: "inline-secret-0123456", rights: "READ" },
          ],
          certificates: [],
        }), { TANGO_ADMIN_TOKEN: "the-admin" }, "server.yaml", () => { throw new Error("ENOENT: no such file"); });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).to.be.instanceOf(ConfigError);
    const messages = (err as ConfigError).problems.map((p) => p.message);
    expect(messages).to.have.length(5);
    expect(messages.join("\n")).to.contain("needs exactly one of token, tokenEnv or tokenFile, got 0")
      .and.contain("got 2").and.contain("UNSET_TOKEN is not set").and.contain("cannot read /nope").and.contain("TANGO_ADMIN_TOKEN is the token named admin");
    expect((err as Error).message).to.not.contain("inline-secret").and.not.contain("the-admin");
  });
});

describe("the access section of a config file", () => {
  it("reports a bad right, token name, short inline token and unknown key together, each where it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "tango-grpc-access-"));
    try {
      const file = join(dir, "server.yaml");
      writeFileSync(file, [
        "access:", "  anonymous: SUPER", "  tokens:", '    - name: "a b"', "      token: short",
        '      rights: [{ devices: "sys/*", right: READS }]', "    - name: ok", "      tokenEnv: X", "      rights: WRITE", "      extra: 1",
        "classes:", "  - name: TangoTest", "    devices: [{ name: sys/tg_test/1 }]", "",
      ].join("\n"));
      const err = (() => {
        try {
          loadConfig(file, {});
        } catch (e) {
          return e as ConfigError;
        }
        return expect.fail("the config was accepted");
      })();
      expect(err.message.split("\n").slice(1)).to.deep.equal([
        `  ${file}:2:14: access.anonymous: must be NONE, READ, WRITE or ADMIN, or a list of {devices, right} rules (the last match wins; no match: NONE), got "SUPER"`,
        `  ${file}:4:13: access.tokens[0].name: must match ^[A-Za-z0-9_.@-]+$ (the identity shown in the blackbox and the logs), got "a b"`,
        `  ${file}:5:14: access.tokens[0].token: must have at least 16 characters`,
        `  ${file}:6:43: access.tokens[0].rights[0].right: must be one of NONE, READ, WRITE, ADMIN, got "READS"`,
        `  ${file}:10:7: access.tokens[1].extra: unknown key; expected one of: name, token, tokenEnv, tokenFile, rights`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("open access", () => {
  it("knows loopback binds", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(isLoopbackHost(h), h).to.equal(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.org"]) expect(isLoopbackHost(h), h).to.equal(false);
  });

  it("is open with no credentials, exposed on a non-loopback bind, and the metric says 1 only then", async () => {
    const open = new AccessPolicy();
    expect(openAccessOf(open, ["127.0.0.1", "127.0.0.1"])).to.include({ isOpen: true, isExposed: false });
    const exposed = openAccessOf(open, ["0.0.0.0", "127.0.0.1"]);
    expect(exposed).to.include({ isOpen: true, isExposed: true });
    expect(exposed.warning).to.contain("restart and kill the server on 0.0.0.0").and.contain("TANGO_ADMIN_TOKEN");
    expect(openAccessOf(new AccessPolicy({ tokens: [{ name: "a", secret: "s", rights: "ADMIN" }] }), ["0.0.0.0"]).isOpen).to.equal(false);
    for (const [o, value] of [[exposed, 1], [openAccessOf(open, ["127.0.0.1"]), 0]] as const) {
      const registry = new Registry();
      registerOpenAccessMetric(registry, o);
      expect(await registry.metrics()).to.contain(`tango_server_open_access ${value}`);
    }
  });
});
