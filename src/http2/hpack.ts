/**
 * HPACK, the header compression of HTTP/2 (RFC 7541): a stateless encoder for request header blocks
 * and a decoder that keeps one connection's dynamic table.
 *
 * Names and values are byte strings, one character per octet (latin1), both ways, as node:http2
 * does: any octet survives a round trip (binary `-bin` metadata is base64 anyway), and UTF-8 text
 * goes out as `Buffer.from(text).toString("latin1")` and comes back through
 * `Buffer.from(value, "latin1").toString()`.
 */

/** A header list as decoded: lowercase names, in order; repeated names kept. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** A header block that cannot be decoded: a connection error COMPRESSION_ERROR (RFC 7540 §4.3). */
export class HpackError extends Error {
  override readonly name = "HpackError";
}

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

/**
 * The Huffman code (RFC 7541 Appendix B): code and bit length of symbols 0–255 and EOS (256), copied
 * from python-hyper/hpack's huffman_constants.py and checked against golang.org/x/net/http2/hpack.
 */
const HUFFMAN_CODES: readonly number[] = [
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7,
  0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec,
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3,
  0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb,
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa,
  0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
  0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc,
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62,
  0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
  0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26,
  0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7,
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78,
  0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc,
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9,
  0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3,
  0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef,
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde,
  0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec,
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef,
  0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec,
  0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed,
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2,
  0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5,
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3,
  0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea,
  0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
  0x3fffffff,
];
/** Bit length of each symbol's code, 16 symbols a row. */
const HUFFMAN_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];
/** The end-of-string symbol, which a decoder must refuse (§5.2). */
const EOS = 256;

/**
 * The Huffman code as a binary tree, built once: node n's children are at [2n] (bit 0) and [2n + 1]
 * (bit 1); a positive child is another node, a negative one the leaf `~symbol`. Node 0 is the root.
 */
const HUFFMAN_TREE = buildHuffmanTree();

function buildHuffmanTree(): Int32Array {
  const tree = new Int32Array(2 * EOS); // a complete code of 257 symbols has 256 inner nodes
  let nodes = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const code = HUFFMAN_CODES[symbol] ?? 0;
    let node = 0;
    for (let bit = (HUFFMAN_LENGTHS[symbol] ?? 0) - 1; bit > 0; bit--) {
      const slot = 2 * node + ((code >>> bit) & 1);
      if (tree[slot] === 0) tree[slot] = nodes++;
      node = tree[slot] ?? 0;
    }
    tree[2 * node + (code & 1)] = ~symbol;
  }
  return tree;
}

/** Decodes a Huffman-coded string (§5.2); padding must be under 8 bits, all ones, and EOS absent. */
function huffmanDecode(input: Buffer): string {
  const out = Buffer.allocUnsafe(Math.floor((input.length * 8) / 5)); // the shortest code has 5 bits
  let length = 0;
  let node = 0;
  let pendingBits = 0; // bits read since the last symbol, all ones while `pendingOnes`
  let pendingOnes = true;
  for (const byte of input) {
    for (let shift = 7; shift >= 0; shift--) {
      const bit = (byte >> shift) & 1;
      const next = HUFFMAN_TREE[2 * node + bit] ?? 0;
      if (next < 0) {
        if (~next === EOS) throw new HpackError("Huffman string holds EOS");
        out[length++] = ~next;
        node = 0;
        pendingBits = 0;
        pendingOnes = true;
      } else {
        node = next;
        pendingBits++;
        pendingOnes &&= bit === 1;
      }
    }
  }
  if (pendingBits > 7 || !pendingOnes) throw new HpackError("Huffman string has bad padding");
  return out.toString("latin1", 0, length);
}

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

/** A latin1 string's Huffman code (§5.2, Appendix B), padded with the EOS prefix (all ones). */
function huffmanEncode(text: string): Buffer {
  let bits = 0;
  for (let i = 0; i < text.length; i++) bits += HUFFMAN_LENGTHS[text.charCodeAt(i)]!;
  const out = Buffer.alloc(Math.ceil(bits / 8));
  let at = 0;
  let acc = 0;
  let accBits = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i);
    let length = HUFFMAN_LENGTHS[symbol]!;
    const code = HUFFMAN_CODES[symbol]!;
    // Codes are up to 30 bits: fed a byte at most at a time, so the accumulator stays small.
    while (length > 0) {
      const take = Math.min(8, length);
      acc = (acc << take) | ((code >>> (length - take)) & ((1 << take) - 1));
      accBits += take;
      length -= take;
      while (accBits >= 8) {
        out[at++] = (acc >>> (accBits - 8)) & 0xff;
        accBits -= 8;
        acc &= (1 << accBits) - 1;
      }
    }
  }
  if (accBits > 0) out[at] = ((acc << (8 - accBits)) | ((1 << (8 - accBits)) - 1)) & 0xff;
  return out;
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
