import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { OpenAPIV3_1 } from "openapi-types";
import { expect } from "chai";
import { HttpReason } from "../../src/http/rest-errors.js";
import { startRestServer, type RestServer } from "../support/rest-server.js";

interface Operation {
  readonly summary?: string;
  readonly parameters?: ReadonlyArray<{ readonly in: string; readonly name: string; readonly schema?: unknown }>;
  readonly requestBody?: unknown;
  readonly security?: ReadonlyArray<Record<string, unknown>>;
  readonly responses?: Record<string, { readonly content?: Record<string, { readonly schema?: unknown }> }>;
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { readonly schemas?: Record<string, unknown> };
}

/** The rows of the error table of docs/http-sidecar.md: status and reasons. */
function documentedErrors(): Array<{ status: string; reasons: string[] }> {
  const doc = readFileSync(new URL("../../docs/http-sidecar.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("## Errors"), doc.indexOf("\n## ", doc.indexOf("## Errors") + 1));
  return [...section.matchAll(/^\| (\d{3}) \| ([^|]+) \|/gm)].map((m) => ({
    status: m[1] ?? "", reasons: [...(m[2] ?? "").matchAll(/`([A-Za-z_]+)`/g)].map((r) => r[1] ?? ""),
  }));
}

/** `/api/v1/devices/:domain/:family/:member` → `/api/v1/devices/{domain}/{family}/{member}` */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
const pathParams = (url: string): string[] => [...url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? "");

describe("OpenAPI document", () => {
  let rs: RestServer;
  let doc: OpenApiDocument;

  before(async () => {
    rs = await startRestServer();
    const res = await rs.request("GET", "/openapi.json");
    expect(res.status).to.equal(200);
    doc = res.body as OpenApiDocument;
  });
  after(async () => { await rs?.close(); });

  it("validates as OpenAPI 3", async () => {
    expect(doc.openapi).to.match(/^3\./);
    // validate() dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc) as unknown as OpenAPIV3_1.Document);
  });

  it("lists every documented route with its method, and nothing else", () => {
    const documented = rs.http.routes.filter((r) => r.isDocumented);
    expect(documented.length).to.be.greaterThan(3);
    const fromRoutes = documented.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`).sort();
    const fromDoc = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    expect(fromDoc).to.deep.equal(fromRoutes);
  });

  it("describes each route's parameters, body and responses with schemas", () => {
    for (const route of rs.http.routes.filter((r) => r.isDocumented)) {
      const where = `${route.method} ${route.url}`;
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(op, where).to.not.equal(undefined);
      if (op === undefined) continue;
      expect(op.summary, `${where}: summary`).to.be.a("string").and.not.equal("");
      const params = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name).sort();
      expect(params, `${where}: path parameters`).to.deep.equal(pathParams(route.url).sort());
      const responses = Object.entries(op.responses ?? {});
      const success = responses.filter(([code]) => code.startsWith("2"));
      expect(success, `${where}: a 2xx response`).to.not.be.empty;
      for (const [code, r] of responses) {
        const schemas = Object.values(r.content ?? {}).map((c) => c.schema);
        expect(schemas, `${where} ${code}: a response schema`).to.not.be.empty;
      }
      if (route.url.startsWith("/api/")) {
        expect(responses.some(([code]) => code.startsWith("4")), `${where}: error responses`).to.equal(true);
      }
      if (["POST", "PUT", "DELETE", "PATCH"].includes(route.method)) {
        expect(op.security, `${where}: needs the admin token`).to.deep.equal([{ adminToken: [] }]);
      }
    }
  });

  describe("documents every error status the sidecar answers", () => {
    const rows = documentedErrors();
    it("has the error table in docs/http-sidecar.md, every HTTP_ reason in it", () => {
      expect(rows.length).to.be.greaterThan(10);
      const reasons = rows.flatMap((r) => r.reasons);
      for (const reason of Object.values(HttpReason)) expect(reasons, reason).to.include(reason);
    });
    for (const { status, reasons } of rows) {
      it(`lists ${status} (${reasons.join(", ")}) among the responses of the operations`, () => {
        const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => ({ where: `${m} ${path}`, op })));
        const answering = operations.filter(({ op }) => op.responses?.[status] !== undefined);
        expect(answering.map((o) => o.where), status).to.not.be.empty;
        for (const { where, op } of answering) {
          const schema = op.responses?.[status]?.content?.["application/json"]?.schema;
          expect(schema, `${where} ${status}: a JSON error body`).to.be.an("object");
        }
      });
    }
    it("lists the errors every request can meet on every operation, and 413 and 415 on those with a body", () => {
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const codes = Object.keys(op.responses ?? {});
          expect(codes, `${method} ${path}`).to.include.members(["400", "405", "408", "414", "431", "500"]);
          if (op.requestBody !== undefined) expect(codes, `${method} ${path}`).to.include.members(["413", "415"]);
        }
      }
      expect(doc.components?.schemas).to.have.property("RestErrorBody");
    });
  });

  it("marks a body optional where the route runs without one (a DevVoid command)", () => {
    const command = doc.paths["/api/v1/devices/{domain}/{family}/{member}/commands/{cmd}"]?.put?.requestBody;
    expect(command).to.have.property("required", false);
    const write = doc.paths["/api/v1/devices/{domain}/{family}/{member}/attributes/{attr}/value"]?.put?.requestBody;
    expect(write).to.have.property("required", false);
    const admin = doc.paths["/api/v1/admin/commands/{command}"]?.post?.requestBody;
    expect(admin).to.have.property("required", false);
  });

  it("serves a docs page, its assets and the same document, built on the first request", async () => {
    const get = (path: string, method = "GET"): Promise<Response> => fetch(`${rs.url}${path}`, { method, signal: AbortSignal.timeout(5_000) });
    // Two first requests at once: both wait for the one build of the page.
    const [page, css] = await Promise.all([get("/docs/"), get("/docs/static/swagger-ui.css")]);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    expect(css.status).to.equal(200);
    expect(css.headers.get("content-type")).to.match(/^text\/css/);
    expect((await css.text()).length).to.be.greaterThan(1000);
    const head = await get("/docs", "HEAD");
    expect(head.status).to.equal(200);
    const json = await get("/docs/json");
    expect(await json.json()).to.deep.equal(doc);
  });

  it("answers an unknown docs path with a Tango-shaped 404, counted in the sidecar's metrics", async () => {
    const res = await rs.request("GET", "/docs/no-such-asset");
    expect(res.status).to.equal(404);
    expect(res.body).to.have.nested.property("errors[0].reason", "HTTP_NotFound");
    const metrics = await rs.request("GET", "/metrics");
    expect(String(metrics.body)).to.match(/http_requests_total\{method="GET",route="\/docs\/\*",status_code="404"\} 1/);
  });
});
