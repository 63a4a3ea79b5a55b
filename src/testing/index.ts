// tango-grpc/testing: devices started in-process for tests (DESIGN §12).
export {};
