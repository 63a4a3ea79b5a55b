/**
 * HPACK, the header compression of HTTP/2 (RFC 7541): a stateless encoder for request header blocks
 * and a decoder that keeps one connection's dynamic table.
 *
 * Names and values are byte strings, one character per octet (latin1), both ways, as node:http2
 * does: any octet survives a round trip (binary `-bin` metadata is base64 anyway), and UTF-8 text
 * goes out as `Buffer.from(text).toString("latin1")` and comes back through
 * `Buffer.from(value, "latin1").toString()`.
 */

import { HpackError } from "./frames.js";
import { huffmanDecode, huffmanEncode } from "./huffman.js";

export { HpackError } from "./frames.js";

/** A header list as decoded: lowercase names, in order; repeated names kept. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** The static table (RFC 7541 Appendix A); index 1 is its first entry. */
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [":authority", ""], [":method", "GET"], [":method", "POST"], [":path", "/"],
  [":path", "/index.html"], [":scheme", "http"], [":scheme", "https"], [":status", "200"],
  [":status", "204"], [":status", "206"], [":status", "304"], [":status", "400"],
  [":status", "404"], [":status", "500"], ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"], ["accept-language", ""], ["accept-ranges", ""],
  ["accept", ""], ["access-control-allow-origin", ""], ["age", ""], ["allow", ""],
  ["authorization", ""], ["cache-control", ""], ["content-disposition", ""],
  ["content-encoding", ""], ["content-language", ""], ["content-length", ""],
  ["content-location", ""], ["content-range", ""], ["content-type", ""], ["cookie", ""],
  ["date", ""], ["etag", ""], ["expect", ""], ["expires", ""], ["from", ""], ["host", ""],
  ["if-match", ""], ["if-modified-since", ""], ["if-none-match", ""], ["if-range", ""],
  ["if-unmodified-since", ""], ["last-modified", ""], ["link", ""], ["location", ""],
  ["max-forwards", ""], ["proxy-authenticate", ""], ["proxy-authorization", ""], ["range", ""],
  ["referer", ""], ["refresh", ""], ["retry-after", ""], ["server", ""], ["set-cookie", ""],
  ["strict-transport-security", ""], ["transfer-encoding", ""], ["user-agent", ""], ["vary", ""],
  ["via", ""], ["www-authenticate", ""],
];

/** Index of a static entry by name and value (`name\0value`; static names hold no NUL). */
const STATIC_FIELD_INDEX = new Map(STATIC_TABLE.map(([name, value], i) => [`${name}\0${value}`, i + 1]));
/** Index of the first static entry of each name. */
const STATIC_NAME_INDEX = new Map<string, number>();
STATIC_TABLE.forEach(([name], i) => {
  if (!STATIC_NAME_INDEX.has(name)) STATIC_NAME_INDEX.set(name, i + 1);
});

/** Largest integer accepted in a block (§5.1 leaves the limit to implementations). */
const MAX_INTEGER = 2 ** 31 - 1;

/** The integer `value` with an N-bit prefix (§5.1), `flags` in the first octet's other bits. */
function encodeInteger(value: number, prefixBits: number, flags: number): number[] {
  const prefixMax = (1 << prefixBits) - 1;
  if (value < prefixMax) return [flags | value];
  const octets = [flags | prefixMax];
  let rest = value - prefixMax;
  for (; rest >= 0x80; rest >>>= 7) octets.push((rest & 0x7f) | 0x80);
  octets.push(rest);
  return octets;
}

/** A string literal without Huffman coding (§5.2): its length with a 7-bit prefix, then its octets. */
function encodeString(text: string, huffman = false): Buffer[] {
  if (/[^\0-\xff]/.test(text)) throw new TypeError("a header name or value has a character above U+00FF");
  if (huffman) {
    const coded = huffmanEncode(text);
    return [Buffer.from(encodeInteger(coded.length, 7, 0x80)), coded];
  }
  return [Buffer.from(encodeInteger(text.length, 7, 0)), Buffer.from(text, "latin1")];
}


/**
 * Encodes request header blocks: each field as "literal header field without indexing" (RFC 7541
 * §6.2.2), the name by static-table index when the static table has it (indexed name), else as a
 * literal; values Huffman-coded only for the names in `huffmanValues`; a field whose name and value are both in the static table (e.g.
 * :method POST, :scheme http/https) as an indexed field (§6.1). Never uses the dynamic table, so it
 * needs no state and never emits a dynamic table size update.
 *
 * Names go as given (HTTP/2 wants them lowercase); names and values are latin1 byte strings, and a
 * character above U+00FF throws a TypeError.
 */
export function encodeHeaderBlock(fields: ReadonlyArray<readonly [string, string]>, opts: { readonly huffmanValues?: ReadonlySet<string> } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const fieldIndex = STATIC_FIELD_INDEX.get(`${name}\0${value}`);
    if (fieldIndex !== undefined) {
      parts.push(Buffer.from(encodeInteger(fieldIndex, 7, 0x80)));
      continue;
    }
    const nameIndex = STATIC_NAME_INDEX.get(name) ?? 0;
    parts.push(Buffer.from(encodeInteger(nameIndex, 4, 0x00)));
    if (nameIndex === 0) parts.push(...encodeString(name));
    parts.push(...encodeString(value, opts.huffmanValues?.has(name) === true));
  }
  return Buffer.concat(parts);
}

/** Reads the primitives of one header block (§5), throwing HpackError when it ends too soon. */
class BlockReader {
  readonly #block: Buffer;
  #offset = 0;

  constructor(block: Buffer) {
    this.#block = block;
  }

  get done(): boolean {
    return this.#offset >= this.#block.length;
  }

  /** The next octet, not consumed. */
  peek(): number {
    const octet = this.#block[this.#offset];
    if (octet === undefined) throw new HpackError("header block truncated");
    return octet;
  }

  /** An integer with an N-bit prefix (§5.1), at most 2^31 - 1. */
  integer(prefixBits: number): number {
    const prefixMax = (1 << prefixBits) - 1;
    let value = this.peek() & prefixMax;
    this.#offset++;
    if (value < prefixMax) return value;
    for (let shift = 0; ; shift += 7) {
      const octet = this.peek();
      this.#offset++;
      value += (octet & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER || shift > 28) throw new HpackError("integer overflow in header block");
      if ((octet & 0x80) === 0) return value;
    }
  }

  /** A string literal (§5.2), Huffman-coded or not. */
  string(): string {
    const huffman = (this.peek() & 0x80) !== 0;
    const length = this.integer(7);
    if (length > this.#block.length - this.#offset) throw new HpackError("string literal truncated");
    const octets = this.#block.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return huffman ? huffmanDecode(octets) : octets.toString("latin1");
  }
}

/** Bytes an entry counts for in the dynamic table (§4.1); names and values are latin1, so length = bytes. */
function entrySize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** How many table-free blocks a decoder keeps, and the largest it keeps. */
const RECENT_BLOCKS = 4;
const MAX_RECENT_BLOCK_BYTES = 1024;

/** Decodes header blocks of one connection (it keeps the dynamic table between blocks, RFC 7541 §2.3.2). */
export class HpackDecoder {
  readonly #maxTableSize: number;
  /** The table size the peer's encoder uses: `maxTableSize` until it sends a size update (§6.3). */
  #tableSize: number;
  /** Dynamic table entries, newest first: index 62 is `#entries[0]` (§2.3.3). */
  readonly #entries: Array<readonly [string, string]> = [];
  #size = 0;
  /** The last few blocks that decoded without the dynamic table, and what they decoded to. */
  readonly #recent: Array<{ readonly block: Buffer; readonly headers: HeaderList }> = [];

  /**
   * `maxTableSize`: the SETTINGS_HEADER_TABLE_SIZE we advertise (default 4096). The peer is taken to
   * use it from its first block on, so a value under 4096 must be acknowledged before any HEADERS.
   */
  constructor(maxTableSize = 4096) {
    if (!Number.isInteger(maxTableSize) || maxTableSize < 0 || maxTableSize > MAX_INTEGER) {
      throw new RangeError(`bad HPACK table size: ${maxTableSize}`);
    }
    this.#maxTableSize = maxTableSize;
    this.#tableSize = maxTableSize;
  }

  /**
   * Decodes one complete header block (HEADERS + CONTINUATION payloads joined). Throws HpackError on
   * malformed input (bad index, bad Huffman (EOS or padding longer than 7 bits or not all ones),
   * integer overflow beyond 2^31, truncated string, table size update above the maximum or not at the
   * start of a block).
   *
   * A block that neither reads nor changes the dynamic table decodes the same whatever came
   * before: a peer sends the same one call after call (our client a method's request headers,
   * our server its response headers and OK trailers), so the last few are kept and a repeat
   * returns the list it decoded to before, which callers must therefore not change.
   */
  decode(block: Buffer): HeaderList {
    for (const recent of this.#recent) if (recent.block.equals(block)) return recent.headers;
    const reader = new BlockReader(block);
    const headers: Array<readonly [string, string]> = [];
    let atStart = true;
    let usesTable = false;
    while (!reader.done) {
      const first = reader.peek();
      if ((first & 0xe0) === 0x20) {
        // Dynamic table size update (§6.3): only before the first field.
        if (!atStart) throw new HpackError("table size update after a header field");
        this.#resize(reader.integer(5));
        usesTable = true;
        continue;
      }
      atStart = false;
      if (first & 0x80) {
        // Indexed header field (§6.1).
        const index = reader.integer(7);
        const [name, value] = this.#entry(index);
        if (index > STATIC_TABLE.length) usesTable = true;
        headers.push([name, value]);
      } else {
        // Literal with incremental indexing (§6.2.1, 01xxxxxx), or without indexing (§6.2.2,
        // 0000xxxx) or never indexed (§6.2.3, 0001xxxx), which decode alike.
        const indexing = (first & 0x40) !== 0;
        const nameIndex = reader.integer(indexing ? 6 : 4);
        const name = nameIndex === 0 ? reader.string() : this.#entry(nameIndex)[0];
        const value = reader.string();
        if (indexing || nameIndex > STATIC_TABLE.length) usesTable = true;
        if (indexing) this.#insert(name, value);
        headers.push([name, value]);
      }
    }
    if (!usesTable && block.length <= MAX_RECENT_BLOCK_BYTES) {
      if (this.#recent.length >= RECENT_BLOCKS) this.#recent.pop();
      this.#recent.unshift({ block: Buffer.from(block), headers });
    }
    return headers;
  }

  /** The static or dynamic table entry at `index` (§2.3.3). */
  #entry(index: number): readonly [string, string] {
    const staticCount = STATIC_TABLE.length;
    const entry = index <= staticCount ? STATIC_TABLE[index - 1] : this.#entries[index - staticCount - 1];
    if (entry === undefined) throw new HpackError(`header table index out of range: ${index}`);
    return entry;
  }

  /** Adds an entry, evicting the oldest to make room; one too large for the table empties it (§4.4). */
  #insert(name: string, value: string): void {
    const size = entrySize(name, value);
    this.#evictTo(this.#tableSize - size);
    if (size <= this.#tableSize) {
      this.#entries.unshift([name, value]);
      this.#size += size;
    }
  }

  /** Applies a dynamic table size update (§4.3, §6.3). */
  #resize(tableSize: number): void {
    if (tableSize > this.#maxTableSize) {
      throw new HpackError(`table size update ${tableSize} above the maximum ${this.#maxTableSize}`);
    }
    this.#tableSize = tableSize;
    this.#evictTo(tableSize);
  }

  /** Evicts the oldest entries until the table holds at most `limit` bytes. */
  #evictTo(limit: number): void {
    while (this.#size > limit) {
      const oldest = this.#entries.pop();
      if (oldest === undefined) break;
      this.#size -= entrySize(...oldest);
    }
  }
}
