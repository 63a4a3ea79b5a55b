// tango-grpc/testing: devices started in-process for tests, in the spirit of PyTango's
// tango.test_context (DESIGN §12). Any test runner: no globals, no fixed ports.
export { DeviceTestContext } from "./device-test-context.js";
export { MultiDeviceTestContext } from "./multi-device-test-context.js";
export type {
  DeviceTestContextOptions, TestContextOptions, TestClassInfo, TestDeviceInfo, PropertyValue,
  PropertyValues, AttributePropertyValues, SerializationModel,
} from "./context-options.js";
export type { TestLogLevel, TestLogDestination, TestLogRecord } from "./memory-log.js";
