import { expect } from "chai";
import {
  AttrDataFormat, AttrWriteType, Device, DevDouble, DevString, attribute, command, deviceProperty,
} from "../../src/index.js";

/*
 * Bad decorator options throw a TypeError when the class is defined (STYLE §9), so a mistake
 * shows when its module is imported, not later when a server builds the first device.
 */
describe("decorators", () => {
  it("refuse a spectrum without maxDimX when the class is defined", () => {
    expect(() => {
      class Bad extends Device {
        @attribute({ dtype: DevDouble, dformat: AttrDataFormat.SPECTRUM })
        get values(): number[] { return []; }
      }
      return Bad;
    }).to.throw(TypeError, "attribute values: maxDimX must be > 0");
  });

  it("refuse an attribute name Tango cannot carry, and numeric options on a string", () => {
    expect(() => {
      class Bad extends Device {
        @attribute({ dtype: DevDouble, name: "two words" })
        get x(): number { return 0; }
      }
      return Bad;
    }).to.throw(TypeError, "attribute two words: a name holds only letters, digits and _");
    expect(() => {
      class Bad extends Device {
        @attribute({ dtype: DevString, maxAlarm: 3 })
        get text(): string { return ""; }
      }
      return Bad;
    }).to.throw(TypeError, "attribute text: maxAlarm applies to numeric attributes only");
  });

  it("refuse READ_WITH_WRITE without writableAttrName, and hwMemorized without memorized", () => {
    expect(() => {
      class Bad extends Device {
        @attribute({ dtype: DevDouble, access: AttrWriteType.READ_WITH_WRITE })
        get x(): number { return 0; }
      }
      return Bad;
    }).to.throw(TypeError, "attribute x: READ_WITH_WRITE needs writableAttrName");
    expect(() => {
      class Bad extends Device {
        @attribute({ dtype: DevDouble, hwMemorized: true })
        set x(_v: number) {}
      }
      return Bad;
    }).to.throw(TypeError, "attribute x: hwMemorized needs memorized");
  });

  it("refuse a polled command with input, and a polling period below 5 ms", () => {
    expect(() => {
      class Bad extends Device {
        @command({ dtypeIn: DevDouble, pollingPeriod: 100 })
        Go(_mm: number): void {}
      }
      return Bad;
    }).to.throw(TypeError, "command Go: only a command without input can be polled");
    expect(() => {
      class Bad extends Device {
        @attribute({ dtype: DevDouble, pollingPeriod: 2 })
        get x(): number { return 0; }
      }
      return Bad;
    }).to.throw(TypeError, "attribute x: pollingPeriod is a whole number of ms, at least 5 (got 2)");
  });

  it("refuse a mandatory property with a default", () => {
    expect(() => {
      class Bad extends Device {
        @deviceProperty({ dtype: DevDouble, mandatory: true, defaultValue: 1 })
        accessor Speed!: number;
      }
      return Bad;
    }).to.throw(TypeError, "property Speed: a mandatory property has no default");
  });

  it("accept good options: a setter alone, a READ_WITH_WRITE with its writable attribute", () => {
    expect(() => {
      class Good extends Device {
        @attribute({ dtype: DevDouble })
        set target(_v: number) {}

        @attribute({ dtype: DevDouble, access: AttrWriteType.READ_WITH_WRITE, writableAttrName: "target" })
        get position(): number { return 0; }

        @command({ dtypeOut: DevDouble, pollingPeriod: 100 })
        Level(): number { return 1; }
      }
      return Good;
    }).to.not.throw();
  });
});
