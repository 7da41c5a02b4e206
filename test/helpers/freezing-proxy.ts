// A TCP proxy in front of the simulator that can freeze: while frozen nothing passes either way
// and nothing is closed, as when the exchange's process stops (kill -STOP) or a NAT forgets the
// connection — the half-open socket a ping must find out about, since even a close is never
// answered. Thawed, what was held goes through.

import { connect, createServer, type Server, type Socket } from "node:net";

export interface FreezingProxy {
  /** The simulator's URL with the proxy's port (http://… or ws://…/ws alike). */
  url(target: string): string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** Proxy 127.0.0.1:<random port> → 127.0.0.1:`targetPort`. */
export async function startFreezingProxy(targetPort: number): Promise<FreezingProxy> {
  let frozen = false;
  const pairs: { a: Socket; b: Socket; held: { to: Socket; data: Buffer }[] }[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pair = { a: client, b: upstream, held: [] as { to: Socket; data: Buffer }[] };
    pairs.push(pair);
    const pipe = (from: Socket, to: Socket) => {
      from.on("data", (data: Buffer) => {
        if (frozen) pair.held.push({ to, data });
        else to.write(data);
      });
      from.on("end", () => to.end());
      from.on("error", () => to.destroy());
      from.on("close", () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  const port = address.port;
  return {
    url: (target) => {
      const u = new URL(target);
      u.port = String(port);
      return u.toString().replace(/\/$/, "");
    },
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const p of pairs) for (const h of p.held.splice(0)) if (!h.to.destroyed) h.to.write(h.data);
    },
    close: async () => {
      for (const p of pairs) {
        p.a.destroy();
        p.b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
