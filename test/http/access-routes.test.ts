import { expect } from "chai";
import { Reason } from "../../src/core/index.js";
import { waitFor } from "../support/wait-for.js";
import { ACCESS_SECTION, TOKENS, startAccessServer, type AccessServer } from "../support/access-server.js";

const API = "/api/v1";
const DEV = "sys/tg_test/1";
const RANK = { NONE: 0, READ: 1, WRITE: 2, ADMIN: 3 } as const;

/** Every mutating REST route (by its registered URL), a request to it, and the right it needs. */
const MUTATING: Readonly<Record<string, { method: string; path: string; body?: unknown; right: "READ" | "WRITE" | "ADMIN" }>> = {
  "POST /api/v1/admin/commands/:command": { method: "POST", path: `${API}/admin/commands/StopPolling`, right: "ADMIN" },
  "POST /api/v1/admin/devices/:domain/:family/:member/restart": { method: "POST", path: `${API}/admin/devices/${DEV}/restart`, right: "ADMIN" },
  "POST /api/v1/admin/init": { method: "POST", path: `${API}/admin/init`, right: "ADMIN" },
  "POST /api/v1/admin/restart": { method: "POST", path: `${API}/admin/restart`, right: "ADMIN" },
  "POST /api/v1/admin/kill": { method: "POST", path: `${API}/admin/kill`, right: "ADMIN" },
  "POST /api/v1/admin/logging/levels": { method: "POST", path: `${API}/admin/logging/levels`, body: [{ device: DEV, level: 5 }], right: "ADMIN" },
  "POST /api/v1/admin/logging/targets": { method: "POST", path: `${API}/admin/logging/targets`, body: { device: DEV, target: "console::cout" }, right: "ADMIN" },
  "DELETE /api/v1/admin/logging/targets": { method: "DELETE", path: `${API}/admin/logging/targets?device=${DEV}&target=console::cout`, right: "ADMIN" },
  "POST /api/v1/admin/logging/start": { method: "POST", path: `${API}/admin/logging/start`, right: "ADMIN" },
  "POST /api/v1/admin/logging/stop": { method: "POST", path: `${API}/admin/logging/stop`, right: "ADMIN" },
  "PUT /api/v1/devices/:domain/:family/:member/attributes/:attr/value": { method: "PUT", path: `${API}/devices/${DEV}/attributes/long_scalar_w/value`, body: 5, right: "WRITE" },
  "PUT /api/v1/devices/:domain/:family/:member/commands/:cmd": { method: "PUT", path: `${API}/devices/${DEV}/commands/DumpExecutionState`, right: "WRITE" },
};

const CALLERS: ReadonlyArray<{ name: string; token: string; right: keyof typeof RANK }> = [
  { name: "token reader (READ)", token: TOKENS.reader, right: "READ" },
  { name: "token writer (WRITE)", token: TOKENS.writer, right: "WRITE" },
  { name: "TANGO_ADMIN_TOKEN (ADMIN)", token: TOKENS.admin, right: "ADMIN" },
];

function reasonOf(body: unknown): string | undefined {
  return (body as { errors?: Array<{ reason?: string }> }).errors?.[0]?.reason;
}

describe("access control over REST", () => {
  let s: AccessServer;
  beforeEach(async () => { s = await startAccessServer(); });
  afterEach(async () => { await s.close(); });

  it("checks every mutating route against anonymous, READ, WRITE and ADMIN callers with the same decision as gRPC", async () => {
    const registered = s.http.routes.filter((r) => r.url.startsWith(API) && r.method !== "GET").map((r) => `${r.method} ${r.url}`);
    expect(Object.keys(MUTATING), "the table covers every mutating route").to.have.members(registered);
    for (const [route, r] of Object.entries(MUTATING)) {
      const anonymous = await s.rest(r.method, r.path, { body: r.body });
      expect(anonymous.status, `anonymous ${route}`).to.equal(401);
      for (const caller of CALLERS) {
        const res = await s.rest(r.method, r.path, { token: caller.token, body: r.body });
        const what = `${caller.name} ${route}: ${JSON.stringify(res.body)}`;
        if (RANK[caller.right] >= RANK[r.right]) {
          expect(res.status, what).to.be.oneOf([200, 202]);
        } else {
          expect(res.status, what).to.equal(403);
          expect(reasonOf(res.body), what).to.equal(Reason.ReadOnlyMode);
        }
      }
      if (route.includes("restart") || route.includes("init")) await waitReady(s);
    }
  });

  it("lets a READ token run an admin query through the mutating command route, and reads stay free", async () => {
    const res = await s.rest("POST", `${API}/admin/commands/QueryDevice`, { token: TOKENS.reader });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect((await s.rest("GET", `${API}/devices/${DEV}/attributes/long_scalar/value`)).status).to.equal(200);
    const unknown = await s.rest("GET", `${API}/devices/${DEV}/attributes/long_scalar/value`, { token: "unknown-token-0123456789" });
    expect(unknown.status).to.equal(401);
  });

  it("answers an anonymous read 401 API_CannotCheckAccessControl when anonymous callers have no rights, as gRPC answers UNAUTHENTICATED", async () => {
    await s.close();
    s = await startAccessServer({ access: { ...ACCESS_SECTION, anonymous: "NONE" } });
    const res = await s.rest("GET", `${API}/devices/${DEV}/attributes/long_scalar/value`);
    expect(res.status).to.equal(401);
    expect(reasonOf(res.body)).to.equal(Reason.CannotCheckAccessControl);
    expect((await s.rest("GET", `${API}/devices/${DEV}/attributes/long_scalar/value`, { token: TOKENS.reader })).status).to.equal(200);
  });

  it("shows the REST caller's identity in the blackbox", async () => {
    await s.rest("PUT", `${API}/devices/${DEV}/attributes/long_scalar_w/value`, { token: TOKENS.writer, body: 7 });
    const bb = await s.call<{ records: string[] }>("BlackBox", { device: DEV, n: 1 }, TOKENS.reader);
    expect(bb.ok && bb.reply.records[0]).to.match(/write_read_attributes_5 \(long_scalar_w \/ long_scalar_w\) requested from 127\.0\.0\.1 as token "writer"$/);
  });
});

async function waitReady(s: AccessServer): Promise<void> {
  await waitFor(() => s.server.isReady, "the server ready again after a restart");
}
