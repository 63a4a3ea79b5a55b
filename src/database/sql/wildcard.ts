/**
 * A Tango wildcard (`*` any characters, as in DbGetDeviceList's "sys/*") as a LIKE pattern for
 * `lower(column) LIKE $1 ESCAPE '\'`: `%`, `_` and `\` match themselves, `*` matches anything, and
 * the pattern is lower-cased (Tango names are case-insensitive).
 */
export function likePattern(wildcard: string): string {
  return wildcard.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll("*", "%");
}
