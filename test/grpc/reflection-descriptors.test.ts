import { expect } from "chai";
import descriptor from "protobufjs/ext/descriptor/index.js";
import { loadTangoProto } from "../../src/grpc/proto.js";
import { reflectionPackageDefinition } from "../../src/grpc/reflection-descriptors.js";

interface Field { name: string; typeName?: string }
interface Message { name: string; field?: Field[]; nestedType?: Message[]; options?: { mapEntry?: boolean } }
interface File { name: string; package?: string; messageType?: Message[] }
const FileDescriptorProto = (descriptor as unknown as {
  FileDescriptorProto: { decode(b: Uint8Array): unknown; toObject(m: unknown): unknown };
}).FileDescriptorProto;

/** Every distinct file descriptor the reflection service is given, decoded. */
function reflectedFiles(): File[] {
  const files = new Map<string, File>();
  for (const def of Object.values(reflectionPackageDefinition(loadTangoProto().packageDefinition))) {
    for (const b of (def as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(b)) as File;
      files.set(file.name, file);
    }
  }
  return [...files.values()];
}

function* fieldsOf(messages: readonly Message[] | undefined): Iterable<Field> {
  for (const m of messages ?? []) {
    yield* m.field ?? [];
    yield* fieldsOf(m.nestedType);
  }
}

describe("reflection descriptors", () => {
  it("names a map field's entry message <Field>Entry, as protoc does (buf and grpcurl need it)", () => {
    const health = reflectedFiles().find((f) => f.package === "grpc.health.v1");
    const list = health?.messageType?.find((m) => m.name === "HealthListResponse");
    expect(list?.nestedType?.map((n) => [n.name, n.options?.mapEntry])).to.deep.equal([["StatusesEntry", true]]);
    expect(list?.field?.find((f) => f.name === "statuses")?.typeName).to.equal(".grpc.health.v1.HealthListResponse.StatusesEntry");
  });

  it("writes every message and enum type name fully qualified", () => {
    const files = reflectedFiles();
    expect(files.map((f) => f.package)).to.include.members(["grpc.health.v1", "tango.v1"]);
    for (const file of files) {
      for (const f of fieldsOf(file.messageType)) {
        if (f.typeName !== undefined && f.typeName !== "") expect(f.typeName, `${file.name}: ${f.name}`).to.match(/^\./);
      }
    }
    const health = files.find((f) => f.package === "grpc.health.v1");
    const status = health?.messageType?.find((m) => m.name === "HealthCheckResponse")?.field?.find((f) => f.name === "status");
    expect(status?.typeName).to.equal(".grpc.health.v1.HealthCheckResponse.ServingStatus");
  });
});
