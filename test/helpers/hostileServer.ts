/**
 * A hostile server for the trust tests: it listens on an address the operator did not bind (127.0.0.2, in the
 * loopback range), counts every connection, and speaks just enough PostgreSQL to ask a client for its password
 * in clear text (AuthenticationCleartextPassword) and record what arrives, then accepts it. Anything else
 * (HTTP, MySQL) is recorded as the raw bytes received. A rotation steered here must never connect.
 */
import { createServer, type Server, type Socket } from "node:net";

export interface HostileServer {
  host: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Passwords clients sent. */
  passwords: string[];
  /** Every byte received, as text (for the leak scan). */
  received: () => string;
  close: () => Promise<void>;
}

const SSL_REQUEST = 80_877_103;

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export async function startHostileServer(host = "127.0.0.2"): Promise<HostileServer> {
  const chunks: Buffer[] = [];
  const state: HostileServer = {
    host,
    port: 0,
    connections: 0,
    passwords: [],
    received: () => Buffer.concat(chunks).toString("latin1"),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (data: Buffer) => {
      chunks.push(data);
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) {
            socket.write("N");
            continue;
          }
          started = true;
          socket.write(message("R", int32(3)));
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const type = buffer.toString("latin1", 0, 1);
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === "p") {
          state.passwords.push(body.toString("utf8").replace(/\0$/, ""));
          socket.write(Buffer.concat([message("R", int32(0)), message("Z", Buffer.from("I"))]));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.port = (server.address() as { port: number }).port;
  return state;
}
