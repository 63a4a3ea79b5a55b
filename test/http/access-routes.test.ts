import { expect } from "chai";
import { Reason } from "../../src/core/index.js";
import { ACCESS_SECTION, TOKENS, startAccessServer, type AccessServer } from "../support/access-server.js";
import { DEV, checkEveryMutatingRoute, reasonOf, type TableCaller } from "../support/access-tables.js";

const API = "/api/v1";
const CALLERS: readonly TableCaller[] = [
  { name: "token reader (READ)", as: TOKENS.reader, right: "READ" },
  { name: "token writer (WRITE)", as: TOKENS.writer, right: "WRITE" },
  { name: "TANGO_ADMIN_TOKEN (ADMIN)", as: TOKENS.admin, right: "ADMIN" },
];

describe("access control over REST", () => {
  let s: AccessServer;
  beforeEach(async () => { s = await startAccessServer(); });
  afterEach(async () => { await s.close(); });

  it("checks every mutating route against anonymous, READ, WRITE and ADMIN callers with the same decision as gRPC", async () => {
    await checkEveryMutatingRoute(s, CALLERS, [{ name: "anonymous", as: undefined }]);
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
