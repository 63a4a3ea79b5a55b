import protobuf from "protobufjs";

/*
 * The reader of tango.v1.Device requests. protobufjs's BufferReader reads a string whose declared
 * length runs past the end of the message as the shorter string that is there (it clamps with
 * Math.min); a request cut short or forged that way must be refused, as `bytes` already are. It
 * also carries the request's budget for packed numeric arrays (packed-varints.ts, packed-blocks.ts
 * charge it), so a request of a few MB cannot make us build arrays of hundreds of MB.
 */

/** A request whose packed arrays would decode past the budget (`limits.maxPackedArrayBytes`). */
export class PackedBudgetExceeded extends RangeError {
  constructor(readonly neededBytes: number, readonly budgetBytes: number) {
    super(`the request's packed arrays decode to more than ${budgetBytes} bytes`);
  }
}

/** A BufferReader that refuses overrunning strings and counts the bytes of decoded packed arrays. */
export class StrictReader extends protobuf.BufferReader {
  #packedBytes = 0;

  constructor(buffer: Buffer, readonly packedBudgetBytes: number) {
    super(buffer);
  }

  override string(): string {
    const len = this.uint32();
    const start = this.pos;
    if (start + len > this.len) {
      throw new RangeError(`a string of ${len} bytes at offset ${start} runs past the end of the message (${this.len} bytes)`);
    }
    this.pos = start + len;
    return (this.buf as Buffer).toString("utf8", start, start + len);
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
