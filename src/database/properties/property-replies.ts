import type { StoredProperty } from "./property-reads.js";

/*
 * The argout layouts of the property gets, as the reference shows them (where the command
 * descriptions differ, the reference's recorded calls win).
 */

/**
 * `[owner, n, (name, value count, values...)...]` for DbGetDeviceProperty, DbGetProperty and
 * DbGetClassProperty; a property with no value is followed by `missing` (cppTango adds one " "
 * for device and free properties, nothing for class properties).
 */
export function valuesReply(owner: string, names: readonly string[], values: readonly (readonly string[])[],
  missing: readonly string[]): string[] {
  const out = [owner, String(names.length)];
  names.forEach((name, i) => {
    const v = values[i] ?? [];
    out.push(name, String(v.length), ...(v.length === 0 ? missing : v));
  });
  return out;
}

/**
 * `[owner, n, (attribute, property count, (name, value count, values...)...)...]`: the v2
 * attribute gets and the pipe gets.
 */
export function subsReply(owner: string, subs: readonly string[], props: readonly (readonly StoredProperty[])[]): string[] {
  const out = [owner, String(subs.length)];
  subs.forEach((sub, i) => {
    const p = props[i] ?? [];
    out.push(sub, String(p.length));
    for (const prop of p) out.push(prop.name, String(prop.values.length), ...prop.values);
  });
  return out;
}

/**
 * `[owner, n, (attribute, row count, (name, value)...)...]`: the v1 attribute gets, one pair per
 * stored element, so an array property repeats its name (reference: `"values", "a", "values", "b"`).
 */
export function subsReplyV1(owner: string, subs: readonly string[], props: readonly (readonly StoredProperty[])[]): string[] {
  const out = [owner, String(subs.length)];
  subs.forEach((sub, i) => {
    const pairs = (props[i] ?? []).flatMap((prop) => prop.values.flatMap((v) => [prop.name, v]));
    out.push(sub, String(pairs.length / 2), ...pairs);
  });
  return out;
}
