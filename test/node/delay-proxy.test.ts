// The login benchmark's delay proxy: bytes pass both ways in order, client flights are counted
// (the TCP handshake as the first, then one per burst after the server spoke), and cut() ends
// every connection.
import { strict as assert } from "node:assert";
import net from "node:net";
import { DelayProxy } from "../../bench/delay-proxy.js";

describe("bench delay proxy", () => {
  let echo: net.Server;
  let proxy: DelayProxy;

  beforeEach(async () => {
    // Answers each chunk with its bytes in upper case.
    echo = net.createServer((socket) => socket.on("data", (chunk) => socket.write(chunk.toString().toUpperCase())).on("error", () => {}));
    await new Promise<void>((resolve) => echo.listen({ host: "127.0.0.1", port: 0 }, resolve));
    proxy = await DelayProxy.start({ host: "127.0.0.1", port: (echo.address() as net.AddressInfo).port }, 10);
  });

  afterEach(async () => {
    await proxy.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  function connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: proxy.port }, () => resolve(socket));
      socket.once("error", reject);
    });
  }

  function read(socket: net.Socket, length: number): Promise<string> {
    return new Promise((resolve) => {
      let text = "";
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (text.length >= length) {
          socket.off("data", onData);
          resolve(text);
        }
      };
      socket.on("data", onData);
    });
  }

  it("forwards both ways and counts one flight per burst after the server spoke, the SYN first", async () => {
    const socket = await connect();
    socket.write("ab");
    socket.write("c"); // the same flight: the server has not answered yet
    assert.equal(await read(socket, 3), "ABC");
    socket.write("d");
    assert.equal(await read(socket, 1), "D");
    const answered = performance.now();
    socket.write("e"); // after the moment read: not part of what came before it
    assert.equal(await read(socket, 1), "E");
    const [connection] = proxy.connections;
    assert.equal(connection!.flights, 4);
    assert.equal(connection!.flightsAt(answered), 3, "the flights until the server's last answer before that moment");
    assert.equal(connection!.sent, 5);
    assert.equal(connection!.received, 5);
    socket.destroy();
  });

  it("cut() closes every open connection", async () => {
    const socket = await connect();
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    proxy.cut();
    await closed;
    assert.equal(socket.destroyed, true);
  });
});
