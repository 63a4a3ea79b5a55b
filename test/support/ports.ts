import { createServer } from "node:net";

/**
 * A port on 127.0.0.1 that nothing listens on: bound by the OS, then released (a connection to
 * it is refused). Also a free port to start a server process on.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
