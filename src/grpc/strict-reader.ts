import protobuf from "protobufjs";

/*
 * The reader of tango.v1.Device requests. protobufjs's BufferReader reads a string whose declared
 * length runs past the end of the message as the shorter string that is there (it clamps with
 * Math.min); a request cut short or forged that way must be refused, as `bytes` already are. It
 * also carries the request's decoding budget (`limits.maxPackedArrayBytes`), so that a request
 * cannot make us build hundreds of MB: the typed arrays of packed numeric arrays are charged
 * their size (packed-varints.ts, packed-blocks.ts), and every value protobufjs's generated code
 * reads one at a time (booleans, numbers, strings: the elements of repeated fields that become JS
 * arrays, such as StringArray, BooleanArray, LongStringArray.lvalue or a list of names) is charged
 * what a JS array slot and value cost, VALUE_COST_BYTES, plus a string's length.
 */

/** What one value read into a JS array costs at least: its slot, a heap number or a string header. */
const VALUE_COST_BYTES = 8;

/** A request whose packed arrays would decode past the budget (`limits.maxPackedArrayBytes`). */
export class PackedBudgetExceeded extends RangeError {
  constructor(readonly neededBytes: number, readonly budgetBytes: number) {
    super(`the request's arrays decode to more than ${budgetBytes} bytes`);
  }
}

/** A BufferReader that refuses overrunning strings and counts the bytes of decoded packed arrays. */
export class StrictReader extends protobuf.BufferReader {
  #packedBytes = 0;

  constructor(buffer: Buffer, readonly packedBudgetBytes: number) {
    super(buffer);
  }

  override string(): string {
    const len = super.uint32();
    const start = this.pos;
    if (start + len > this.len) {
      throw new RangeError(`a string of ${len} bytes at offset ${start} runs past the end of the message (${this.len} bytes)`);
    }
    this.pos = start + len;
    this.chargePacked(2 * VALUE_COST_BYTES + len);
    return (this.buf as Buffer).toString("utf8", start, start + len);
  }

  override bool(): boolean {
    this.chargePacked(VALUE_COST_BYTES);
    return super.bool();
  }

  override int32(): number {
    this.chargePacked(VALUE_COST_BYTES);
    return super.int32();
  }

  override uint32(): number {
    this.chargePacked(VALUE_COST_BYTES);
    return super.uint32();
  }

  override sint32(): number {
    this.chargePacked(VALUE_COST_BYTES);
    return super.sint32();
  }

  override double(): number {
    this.chargePacked(VALUE_COST_BYTES);
    return super.double();
  }

  override float(): number {
    this.chargePacked(VALUE_COST_BYTES);
    return super.float();
  }

  override int64(): protobuf.Long {
    this.chargePacked(2 * VALUE_COST_BYTES);
    return super.int64();
  }

  override uint64(): protobuf.Long {
    this.chargePacked(2 * VALUE_COST_BYTES);
    return super.uint64();
  }

  override sint64(): protobuf.Long {
    this.chargePacked(2 * VALUE_COST_BYTES);
    return super.sint64();
  }

  /** Charges `bytes` of decoded array to the budget; throws PackedBudgetExceeded when over. */
  chargePacked(bytes: number): void {
    this.#packedBytes += bytes;
    if (this.#packedBytes > this.packedBudgetBytes) throw new PackedBudgetExceeded(this.#packedBytes, this.packedBudgetBytes);
  }
}

/** Charges a decoded packed array to the reader's budget when it has one (requests do; replies don't). */
export function chargePacked(reader: protobuf.Reader, bytes: number): void {
  if (reader instanceof StrictReader) reader.chargePacked(bytes);
}
