import { parse } from "lossless-json";

/**
 * JSON with numbers kept as their source text. JSON.parse turns 9007199254740993 into
 * 9007199254740992 before anyone can see it (Node 20 has no reviver `context.source`), and a
 * DevLong64 argin must arrive exact; the caller converts each number once it knows the type.
 * lossless-json does the parsing. NaN and the infinities are written as strings (`"NaN"`), as
 * `--json` prints them; the converters accept those.
 */

/** A JSON number, unconverted: `text` is exactly as written (`-12`, `1.5e3`). */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON document with numbers left as text. */
export type JsonNode = null | boolean | string | JsonNumber | readonly JsonNode[] | { readonly [key: string]: JsonNode };

/** The text is not JSON; the message says where. */
export class JsonTextError extends Error {
  override readonly name = "JsonTextError";
}

/** Parses a whole JSON document; throws JsonTextError for anything else (trailing text included). */
export function parseJsonText(text: string): JsonNode {
  try {
    return parse(text, null, (source) => new JsonNumber(source)) as JsonNode;
  } catch (err) {
    if (err instanceof SyntaxError) throw new JsonTextError(err.message, { cause: err });
    throw err;
  }
}
