/*
 * The argin and argout descriptions of the property commands, as cppTango's DataBaseds reports
 * them (CommandQuery, CommandListQuery): interface text, copied from the reference.
 */

/** A command's argin and argout descriptions. */
export interface CommandDoc {
  /** What the argin holds (cppTango's in_type_desc). */
  readonly docIn: string;
  /** What the argout holds (cppTango's out_type_desc). */
  readonly docOut: string;
}

/** The descriptions of the DataBase property commands, by command name. */
export const PROPERTY_COMMAND_DOCS = {
  DbDeleteAllDeviceAttributeProperty: { docIn: "str[0] = device name\nStr[1]...str[n] = attribute name(s)", docOut: "Uninitialised" },
  DbDeleteAllDevicePipeProperty: { docIn: "str[0] = device name\nStr[1]...str[n] = pipe name(s)", docOut: "Uninitialised" },
  DbDeleteClassAttribute: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute name", docOut: "Uninitialised" },
  DbDeleteClassAttributeProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute name\nStr[2] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbDeleteClassPipe: { docIn: "Str[0] = Tango class name\nStr[1] = Pipe name", docOut: "Uninitialised" },
  DbDeleteClassPipeProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Pipe name\nStr[2] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbDeleteClassProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbDeleteDeviceAttribute: { docIn: "Str[0] = Device name\nStr[1] = Attribute name", docOut: "Uninitialised" },
  DbDeleteDeviceAttributeProperty: { docIn: "Str[0] = Device name\nStr[1] = Attribute name\nStr[2] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbDeleteDevicePipe: { docIn: "Str[0] = Device name\nStr[1] = Pipe name", docOut: "Uninitialised" },
  DbDeleteDevicePipeProperty: { docIn: "Str[0] = Device name\nStr[1] = Pipe name\nStr[2] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbDeleteDeviceProperty: { docIn: "Str[0] = Device name\nStr[1] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbDeleteProperty: { docIn: "Str[0]  = Object name\nStr[1] = Property name\nStr[n] = Property name", docOut: "Uninitialised" },
  DbGetClassAttributeList: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute name filter (eg: att*)", docOut: "Str[0] = Class attribute name\nStr[n] = Class attribute name" },
  DbGetClassAttributeProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute name\nStr[n] = Attribute name", docOut: "Str[0] = Tango class name\nStr[1] = Attribute property  number\nStr[2] = Attribute property 1 name\nStr[3] = Attribute property 1 value\nStr[n + 1] = Attribute property 2 name\nStr[n + 2] = Attribute property 2 value" },
  DbGetClassAttributeProperty2: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute name\nStr[n] = Attribute name", docOut: "Str[0] = Tango class name\nStr[1] = Attribute property  number\nStr[2] = Attribute property 1 name\nStr[3] = Attribute property 1 value number (array case)\nStr[4] = Attribute property 1 value\nStr[n] = Attribute property 1 value (array case)\nStr[n + 1] = Attribute property 2 name\nStr[n + 2] = Attribute property 2 value number (array case)\nStr[n + 3] = Attribute property 2 value\nStr[n + m] = Attribute property 2 value (array case)" },
  DbGetClassAttributePropertyHist: { docIn: "Str[0] = Tango class\nStr[1] = Attribute name\nStr[2] = Property name", docOut: "Str[0] = Attribute name\nStr[1] = Property name\nStr[2] = date\nStr[3] = Property value number (array case)\nStr[4] = Property value 1\nStr[n] = Property value n" },
  DbGetClassPipeList: { docIn: "Str[0] = Tango class name\nStr[1] = Pipe name filter (eg: pip*)", docOut: "Str[0] = Class pipe name\nStr[n] = Class pipe name" },
  DbGetClassPipeProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Pipe name\nStr[n] = Pipe name", docOut: "Str[0] = Tango class name\nStr[1] = Pipe property  number\nStr[2] = Pipe property 1 name\nStr[3] = Pipe property 1 value number (array case)\nStr[4] = Pipe property 1 value\nStr[n] = Pipe property 1 value (array case)\nStr[n + 1] = Pipe property 2 name\nStr[n + 2] = Pipe property 2 value number (array case)\nStr[n + 3] = Pipe property 2 value\nStr[n + m] = Pipe property 2 value (array case)" },
  DbGetClassPipePropertyHist: { docIn: "Str[0] = Tango class\nStr[1] = Pipe name\nStr[2] = Property name", docOut: "Str[0] = Pipe name\nStr[1] = Property name\nStr[2] = date\nStr[3] = Property value number (array case)\nStr[4] = Property value 1\nStr[n] = Property value n" },
  DbGetClassProperty: { docIn: "Str[0] = Tango class\nStr[1] = Property name\nStr[2] = Property name", docOut: "Str[0] = Tango class\nStr[1] = Property number\nStr[2] = Property name\nStr[3] = Property value number (array case)\nStr[4] = Property value\nStr[n] = Property value (array case)\n...." },
  DbGetClassPropertyHist: { docIn: "Str[0] = Tango class\nStr[1] = Property name", docOut: "Str[0] = Property name\nStr[1] = date\nStr[2] = Property value number (array case)\nStr[3] = Property value 1\nStr[n] = Property value n" },
  DbGetClassPropertyList: { docIn: "The filter", docOut: "Property name list" },
  DbGetDataForServerCache: { docIn: "Elt[0] = DS name (exec_name/inst_name), Elt[1] = Host name", docOut: "All the data needed by the device server during its startup sequence. Precise list depend on the device server" },
  DbGetDeviceAttributeList: { docIn: "Str[0] = Device name\nStr[1] = Wildcard", docOut: "attribute name list" },
  DbGetDeviceAttributeProperty: { docIn: "Str[0] = Device name\nStr[1] = Attribute name\nStr[n] = Attribute name", docOut: "Str[0] = Device name\nStr[1] = Attribute property  number\nStr[2] = Attribute property 1 name\nStr[3] = Attribute property 1 value\nStr[n + 1] = Attribute property 2 name\nStr[n + 2] = Attribute property 2 value" },
  DbGetDeviceAttributeProperty2: { docIn: "Str[0] = Device name\nStr[1] = Attribute name\nStr[n] = Attribute name", docOut: "Str[0] = Device name\nStr[1] = Attribute property  number\nStr[2] = Attribute property 1 name\nStr[3] = Attribute property 1 value number (array case)\nStr[4] = Attribute property 1 value\nStr[n] = Attribute property 1 value (array case)\nStr[n + 1] = Attribute property 2 name\nStr[n + 2] = Attribute property 2 value number (array case)\nStr[n + 3] = Attribute property 2 value\nStr[n + m] = Attribute property 2 value (array case)" },
  DbGetDeviceAttributePropertyHist: { docIn: "Str[0] = Device name\nStr[1] = Attribute name\nStr[2] = Property name", docOut: "Str[0] = Attribute name\nStr[1] = Property name\nStr[2] = date\nStr[3] = Property value number (array case)\nStr[4] = Property value 1\nStr[n] = Property value n" },
  DbGetDevicePipeList: { docIn: "Str[0] = Device name\nStr[1] = Wildcard", docOut: "Pipe name list" },
  DbGetDevicePipeProperty: { docIn: "Str[0] = Device name\nStr[1] = Pipe name\nStr[n] = Pipe name", docOut: "Str[0] = Device name\nStr[1] = Pipe property  number\nStr[2] = Pipe property 1 name\nStr[3] = Pipe property 1 value number (array case)\nStr[4] = Pipe property 1 value\nStr[n] = Pipe property 1 value (array case)\nStr[n + 1] = Pipe property 2 name\nStr[n + 2] = Pipe property 2 value number (array case)\nStr[n + 3] = Pipe property 2 value\nStr[n + m] = Pipe property 2 value (array case)" },
  DbGetDevicePipePropertyHist: { docIn: "Str[0] = Device name\nStr[1] = Pipe name\nStr[2] = Property name", docOut: "Str[0] = Pipe name\nStr[1] = Property name\nStr[2] = date\nStr[3] = Property value number (array case)\nStr[4] = Property value 1\nStr[n] = Property value n" },
  DbGetDeviceProperty: { docIn: "Str[0] = Device name\nStr[1] = Property name\nStr[n] = Property name", docOut: "Str[0] = Device name\nStr[1] = Property number\nStr[2] = Property name\nStr[3] = Property value number (array case)\nStr[4] = Property value 1\nStr[n] = Property value n (array case)\nStr[n + 1] = Property name\nStr[n + 2] = Property value number (array case)\nStr[n + 3] = Property value 1\nStr[n + m] = Property value m" },
  DbGetDevicePropertyHist: { docIn: "Str[0] = Device name\nStr[2] = Property name", docOut: "Str[0] = Property name\nStr[1] = date\nStr[2] = Property value number (array case)\nStr[3] = Property value 1\nStr[n] = Property value n" },
  DbGetDevicePropertyList: { docIn: "Str[0] = device name\nStr[1] = Filter", docOut: "Property name list" },
  DbGetObjectList: { docIn: "The filter", docOut: "Object name list" },
  DbGetProperty: { docIn: "Str[0] = Object name\nStr[1] = Property name\nStr[n] = Property name", docOut: "Str[0] = Object name\nStr[1] = Property number\nStr[2] = Property name\nStr[3] = Property value number (array case)\nStr[4] = Property value 1\nStr[n] = Property value n (array case)\nStr[n + 1] = Property name\nStr[n + 2] = Property value number (array case)\nStr[n + 3] = Property value 1\nStr[n + m] = Property value m" },
  DbGetPropertyHist: { docIn: "Str[0] = Object name\nStr[2] = Property name", docOut: "Str[0] = Property name\nStr[1] = date\nStr[2] = Property value number (array case)\nStr[3] = Property value 1\nStr[n] = Property value n" },
  DbGetPropertyList: { docIn: "Str[0] = Object name\nStr[1] = filter", docOut: "Property name list" },
  DbPutClassAttributeProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute number\nStr[2] = Attribute name\nStr[3] = Property number\nStr[4] = Property name\nStr[5] = Property value\n.....", docOut: "Uninitialised" },
  DbPutClassAttributeProperty2: { docIn: "Str[0] = Tango class name\nStr[1] = Attribute number\nStr[2] = Attribute name\nStr[3] = Property number\nStr[4] = Property name\nStr[5] = Property value number (array case)\nStr[5] = Property value 1\nStr[n] = Property value n (array case)\n.....", docOut: "Uninitialised" },
  DbPutClassPipeProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Pipe number\nStr[2] = Pipe name\nStr[3] = Property number\nStr[4] = Property name\nStr[5] = Property value number (array case)\nStr[5] = Property value 1\nStr[n] = Property value n (array case)", docOut: "Uninitialised" },
  DbPutClassProperty: { docIn: "Str[0] = Tango class name\nStr[1] = Property number\nStr[2] = Property name\nStr[3] = Property value number\nStr[4] = Property value 1\nStr[n] = Property value n\n....", docOut: "Uninitialised" },
  DbPutDeviceAttributeProperty: { docIn: "Str[0] = Device name\nStr[1] = Attribute number\nStr[2] = Attribute name\nStr[3] = Property number\nStr[4] = Property name\nStr[5] = Property value\n.....", docOut: "Uninitialised" },
  DbPutDeviceAttributeProperty2: { docIn: "Str[0] = Device name\nStr[1] = Attribute number\nStr[2] = Attribute name\nStr[3] = Property number\nStr[4] = Property name\nStr[5] = Property value number (array case)\nStr[5] = Property value 1\nStr[n] = Property value n (array case)\n.....", docOut: "Uninitialised" },
  DbPutDevicePipeProperty: { docIn: "Str[0] = Device name\nStr[1] = Pipe number\nStr[2] = Pipe name\nStr[3] = Property number\nStr[4] = Property name\nStr[5] = Property value number (array case)\nStr[6] = Property value 1\nStr[n] = Property value n (array case)", docOut: "Uninitialised" },
  DbPutDeviceProperty: { docIn: "Str[0] = Tango device name\nStr[1] = Property number\nStr[2] = Property name\nStr[3] = Property value number\nStr[4] = Property value 1\nStr[n] = Property value n\n....", docOut: "Uninitialised" },
  DbPutProperty: { docIn: "Str[0] = Object name\nStr[1] = Property number\nStr[2] = Property name\nStr[3] = Property value number\nStr[4] = Property value 1\nStr[n] = Property value n\n....", docOut: "Uninitialised" },
} as const satisfies Record<string, CommandDoc>;
