/*
 * The argument descriptions of the DataBase commands of this layer, as cppTango 9.3.4's
 * DataBaseds declares them (CommandQuery shows them; shared reference database_commands.json),
 * spread into each command's options.
 */

/** A command's argin and argout descriptions. */
export interface CommandDocs {
  readonly docIn: string;
  readonly docOut: string;
}

/** The descriptions, by command name. */
export const NAME_COMMAND_DOCS = {
  DbAddDevice: { docIn: "Str[0] = Full device server process name\nStr[1] = Device name\nStr[2] = Tango class name", docOut: "Uninitialised" },
  DbAddServer: { docIn: "Str[0] = Full device server name\nStr[1] = Device(s) name\nStr[2] = Tango class name\nStr[n] = Device name\nStr[n + 1] = Tango class name", docOut: "Uninitialised" },
  DbDeleteAttributeAlias: { docIn: "Attriibute alias name.", docOut: "Uninitialised" },
  DbDeleteDevice: { docIn: "device name", docOut: "Uninitialised" },
  DbDeleteDeviceAlias: { docIn: "device alias name", docOut: "Uninitialised" },
  DbDeleteServer: { docIn: "Device server name", docOut: "Uninitialised" },
  DbDeleteServerInfo: { docIn: "Device server name", docOut: "Uninitialised" },
  DbExportDevice: { docIn: "Str[0] = Device name\nStr[1] = CORBA IOR\nStr[2] = Device server process host name\nStr[3] = Device server process PID or string ``null``\nStr[4] = Device server process version", docOut: "Uninitialised" },
  DbExportEvent: { docIn: "Str[0] = event channel name (or factory name)\nStr[1] = CORBA IOR\nStr[2] = Notifd host name\nStr[3] = Notifd pid\nStr[4] = Notifd version", docOut: "Uninitialised" },
  DbGetAliasAttribute: { docIn: "The attribute alias", docOut: "The attribute name (dev_name/att_name)" },
  DbGetAliasDevice: { docIn: "Alias name", docOut: "Device name" },
  DbGetAttributeAlias: { docIn: "The attribute alias name", docOut: "The attribute name (device/attribute)" },
  DbGetAttributeAlias2: { docIn: "The attribute name (dev_name/att_name)", docOut: "The attribute alias name (or empty string)" },
  DbGetAttributeAliasList: { docIn: "attribute alias filter string (eg: att*)", docOut: "attribute aliases" },
  DbGetCSDbServerList: { docIn: "Uninitialised", docOut: "List of host:port with one element for each database server" },
  DbGetClassForDevice: { docIn: "Device name", docOut: "Device Tango class" },
  DbGetClassInheritanceForDevice: { docIn: "Device name", docOut: "Classes off the specified device.\n[0] - is the class of the device.\n[1] - is the class from the device class is inherited.\n........and so on" },
  DbGetClassList: { docIn: "Filter", docOut: "Class list" },
  DbGetDeviceAlias: { docIn: "The device name", docOut: "The alias found" },
  DbGetDeviceAliasList: { docIn: "The filter", docOut: "Device alias list" },
  DbGetDeviceClassList: { docIn: "Device server process name", docOut: "Str[0] = Device name\nStr[1] = Tango class\nStr[n] = Device name\nStr[n + 1] = Tango class" },
  DbGetDeviceDomainList: { docIn: "The wildcard", docOut: "Device name domain list" },
  DbGetDeviceExportedList: { docIn: "filter", docOut: "list of exported devices" },
  DbGetDeviceFamilyList: { docIn: "The wildcard", docOut: "Family list" },
  DbGetDeviceInfo: { docIn: "Device name", docOut: "Str[0] = Device name\nStr[1] = CORBA IOR\nStr[2] = Device version\nStr[3] = Device Server name\nStr[4] = Device Server process host name\nStr[5] = Started date (or ? if not set)\nStr[6] = Stopped date (or ? if not set)\nStr[7] = Device class\n\nLg[0] = Device exported flag\nLg[1] = Device Server process PID (or -1 if not set)" },
  DbGetDeviceList: { docIn: "argin[0] : server name\nargin[1] : class name", docOut: "The list of devices for specified server and class." },
  DbGetDeviceMemberList: { docIn: "The filter", docOut: "Device names member list" },
  DbGetDeviceServerClassList: { docIn: "device server process name", docOut: "list of classes for this device server" },
  DbGetDeviceWideList: { docIn: "filter", docOut: "list of exported devices" },
  DbGetExportdDeviceListForClass: { docIn: "Class name", docOut: "Device exported list" },
  DbGetForwardedAttributeListForDevice: { docIn: "The specified device name", docOut: "argout[n]     : device name\nargout[n+1] :the forwardef attribute\nargout[n+2] :the root attribute (__root_att)" },
  DbGetHostList: { docIn: "The filter", docOut: "Host name list" },
  DbGetHostServerList: { docIn: "The filter", docOut: "Device server process name list" },
  DbGetHostServersInfo: { docIn: "Host name", docOut: "Server info for all servers running on specified host" },
  DbGetInstanceNameList: { docIn: "Server name", docOut: "The instance names found for specified server." },
  DbGetServerInfo: { docIn: "server name", docOut: "server info" },
  DbGetServerList: { docIn: "The filter", docOut: "Device server process name list" },
  DbGetServerNameList: { docIn: "wildcard for server names.", docOut: "server names found." },
  DbImportDevice: { docIn: "Device name (or alias)", docOut: "Str[0] = device name\nStr[1] = CORBA IOR\nStr[2] = device version\nStr[3] = device server process name\nStr[4] = host name\nStr[5] = Tango class name\n\nLg[0] = Exported flag\nLg[1] = Device server process PID" },
  DbImportEvent: { docIn: "name of event channel or factory", docOut: "export information e.g. IOR" },
  DbInfo: { docIn: "Uninitialised", docOut: "Miscellaneous info like:\n- Device defined in database\n- Device marked as exported in database\n- Device server process defined in database\n- Device server process marked as exported in database\n- Device properties defined in database\n- Class properties defined in database\n- Device attribute properties defined in database\n- Class attribute properties defined in database\n- Object properties defined in database" },
  DbMySqlSelect: { docIn: "MySql Select command", docOut: "MySql Select command result\n - svalues : select results\n - lvalue[n] : =0 if svalue[n] is null else =1\n (last lvalue -1) is number of rows, (last lvalue) is number of fields" },
  DbPutAttributeAlias: { docIn: "Str[0] = attribute name\nStr[1] = attribute alias", docOut: "Uninitialised" },
  DbPutDeviceAlias: { docIn: "Str[0] = device name\nStr[1] = alias name", docOut: "Uninitialised" },
  DbPutServerInfo: { docIn: "server info", docOut: "Uninitialised" },
  DbRenameServer: { docIn: "s[0] = old device server name (exec/instance)\ns[1] = new device server name (exec/instance)", docOut: "Uninitialised" },
  DbUnExportDevice: { docIn: "Device name", docOut: "Uninitialised" },
  DbUnExportEvent: { docIn: "name of event channel or factory to unexport", docOut: "none" },
  DbUnExportServer: { docIn: "Device server name (executable/instance)", docOut: "Uninitialised" },
  ResetTimingValues: { docIn: "Uninitialised", docOut: "Uninitialised" },
} as const satisfies Record<string, CommandDocs>;
