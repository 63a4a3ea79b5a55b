import type { PackageDefinition } from "@grpc/proto-loader";
import descriptor from "protobufjs/ext/descriptor/index.js";

/*
 * proto-loader builds its file descriptors with protobufjs, which writes two things protoc does
 * not: a map field's entry message is named after the field (`Statuses`, not `StatusesEntry`),
 * and field type names are relative (`ServingStatus`, not `.grpc.health.v1.HealthCheckResponse.
 * ServingStatus`). Go's protobuf library (buf curl, grpcurl) refuses such a file, so a client
 * could list grpc.health.v1.Health through reflection but not call it. The descriptors given to
 * the reflection service are rewritten here the way protoc writes them.
 */

interface FieldProto { name?: string; typeName?: string; type?: number }
interface MessageProto { name?: string; field?: FieldProto[]; nestedType?: MessageProto[]; enumType?: Array<{ name?: string }>; options?: { mapEntry?: boolean } | null }
interface FileProto { name?: string; package?: string; messageType?: MessageProto[]; enumType?: Array<{ name?: string }> }

interface DescriptorCodec {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  toObject(message: unknown): unknown;
  fromObject(object: unknown): unknown;
}
const FileDescriptorProto = (descriptor as unknown as { FileDescriptorProto: DescriptorCodec }).FileDescriptorProto;

/** `statuses` → `StatusesEntry`, protoc's name for a map field's entry message. */
function entryName(field: string): string {
  return `${field.split("_").map((p) => (p === "" ? "" : p[0]?.toUpperCase() + p.slice(1))).join("")}Entry`;
}

/** Every type the file declares, fully qualified with a leading dot. */
function declaredTypes(file: FileProto): Set<string> {
  const out = new Set<string>();
  const pkg = file.package === undefined || file.package === "" ? "" : `.${file.package}`;
  const walk = (scope: string, messages: readonly MessageProto[] | undefined): void => {
    for (const m of messages ?? []) {
      const name = `${scope}.${m.name ?? ""}`;
      out.add(name);
      for (const e of m.enumType ?? []) out.add(`${name}.${e.name ?? ""}`);
      walk(name, m.nestedType);
    }
  };
  for (const e of file.enumType ?? []) out.add(`${pkg}.${e.name ?? ""}`);
  walk(pkg, file.messageType);
  return out;
}

/** A relative type name resolved as protoc does: innermost scope first, then outwards. */
function qualify(typeName: string, scope: string, known: ReadonlySet<string>): string {
  if (typeName === "" || typeName.startsWith(".")) return typeName;
  for (let s = scope; ; s = s.slice(0, s.lastIndexOf("."))) {
    const candidate = `${s}.${typeName}`;
    if (known.has(candidate)) return candidate;
    if (s === "") return typeName;
  }
}

function fixMessages(scope: string, messages: readonly MessageProto[] | undefined, known: ReadonlySet<string>): void {
  for (const m of messages ?? []) {
    const name = `${scope}.${m.name ?? ""}`;
    // Rename map entries first, so that the fields resolve to the new names.
    for (const nested of m.nestedType ?? []) {
      if (nested.options?.mapEntry !== true) continue;
      const field = (m.field ?? []).find((f) => f.typeName === nested.name || f.typeName === `${name}.${nested.name ?? ""}`);
      if (field?.name === undefined) continue;
      const renamed = entryName(field.name);
      field.typeName = `${name}.${renamed}`;
      nested.name = renamed;
    }
    const local = new Set([...known, ...(m.nestedType ?? []).map((n) => `${name}.${n.name ?? ""}`)]);
    for (const f of m.field ?? []) {
      if (f.typeName !== undefined) f.typeName = qualify(f.typeName, name, local);
    }
    fixMessages(name, m.nestedType, local);
  }
}

/** One serialized FileDescriptorProto as protoc would write it. */
export function normalizeFileDescriptor(bytes: Uint8Array): Uint8Array {
  const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes)) as FileProto;
  const pkg = file.package === undefined || file.package === "" ? "" : `.${file.package}`;
  fixMessages(pkg, file.messageType, declaredTypes(file));
  return FileDescriptorProto.encode(FileDescriptorProto.fromObject(file)).finish();
}

/** `definition` with every file descriptor normalized, for `new ReflectionService(...)`. */
export function reflectionPackageDefinition(definition: PackageDefinition): PackageDefinition {
  const cache = new Map<string, Buffer>();
  const fix = (b: Buffer): Buffer => {
    const key = b.toString("base64");
    let fixed = cache.get(key);
    if (fixed === undefined) cache.set(key, fixed = Buffer.from(normalizeFileDescriptor(b)));
    return fixed;
  };
  const out: PackageDefinition = {};
  for (const [name, def] of Object.entries(definition)) {
    const protos = (def as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
    out[name] = Array.isArray(protos) ? { ...def, fileDescriptorProtos: (protos as Buffer[]).map(fix) } as typeof def : def;
  }
  return out;
}
