import { expect } from "chai";
import {
  AttrDataFormat, CmdArgType, DevFailed, Reason, ValueCoercionError, attributeInput, commandArgin, type AttributeConfig, type CommandInfo,
} from "../../src/core/index.js";
import { decodingReply } from "../../src/client/value-input.js";

const config = (dataType: CmdArgType, dataFormat: AttrDataFormat): AttributeConfig =>
  ({ name: "a", dataType, dataFormat } as unknown as AttributeConfig);
const command = (inType: CmdArgType): CommandInfo => ({ name: "C", inType } as unknown as CommandInfo);

describe("client value input", () => {
  it("converts a command argin to its declared type, or refuses it with the server's reason", () => {
    expect(commandArgin(command(CmdArgType.DevLong64), 5)).to.deep.equal({ type: CmdArgType.DevLong64, value: 5n });
    expect(commandArgin(command(CmdArgType.DevVarDoubleArray), [1, 2]).value).to.deep.equal(Float64Array.from([1, 2]));
    expect(() => commandArgin(command(CmdArgType.DevShort), 1e6)).to.throw(DevFailed).with.property("reason", Reason.IncompatibleCmdArgumentType);
  });

  it("writes scalars and spectra in their type and shape", () => {
    expect(attributeInput(config(CmdArgType.DevDouble, AttrDataFormat.SCALAR), 2)).to.deep.equal({ value: { type: CmdArgType.DevDouble, value: 2 } });
    expect(attributeInput(config(CmdArgType.DevShort, AttrDataFormat.SPECTRUM), [1, 2]).value)
      .to.deep.equal({ type: CmdArgType.DevVarShortArray, value: Int16Array.from([1, 2]) });
    expect(() => attributeInput(config(CmdArgType.DevDouble, AttrDataFormat.SCALAR), "x"))
      .to.throw(DevFailed).with.property("reason", Reason.IncompatibleAttrDataType);
  });

  it("takes an image as nested rows, or flat with its dimensions", () => {
    const image = config(CmdArgType.DevLong, AttrDataFormat.IMAGE);
    expect(attributeInput(image, [[1, 2, 3], Int32Array.from([4, 5, 6])])).to.deep.equal({
      value: { type: CmdArgType.DevVarLongArray, value: Int32Array.from([1, 2, 3, 4, 5, 6]) }, dim: { x: 3, y: 2 },
    });
    expect(attributeInput(image, [1, 2, 3, 4], { dimX: 2, dimY: 2 }).dim).to.deep.equal({ x: 2, y: 2 });
    expect(attributeInput(image, [1, 2, 3]).dim).to.deep.equal({ x: 3, y: 1 });
    expect(() => attributeInput(image, [[1, 2], [3]])).to.throw(DevFailed, /^API_AttrIncorrectDataNumber: Incorrect data number$/);
    expect(() => attributeInput(image, [1, 2, 3], { dimX: 2, dimY: 2 })).to.throw(DevFailed, /^API_AttrIncorrectDataNumber: Incorrect data number$/);
  });

  it("reports a reply that cannot be decoded as a DevFailed, not a crash", () => {
    expect(() => decodingReply("a/b/c", "read_attributes", () => { throw new ValueCoercionError("type", "bad raw length"); }))
      .to.throw(DevFailed, /The reply of read_attributes from device a\/b\/c cannot be decoded: bad raw length/);
    expect(decodingReply("a/b/c", "x", () => 7)).to.equal(7);
  });
});
