// A TCP proxy in front of the simulator that can freeze: while frozen nothing passes either way
// and nothing is closed, as when the exchange's process stops (kill -STOP) or a NAT forgets the
// connection — the half-open socket a ping must find out about, since even a close is never
// answered. Thawed, what was held goes through.
// It can also black-hole only the connections it holds (a router that dropped them): those pass
// nothing, not even a close (either way), while new connections pass. Lifted, what was held goes
// through, the closes included.

import { connect, createServer, type Server, type Socket } from "node:net";

export interface FreezingProxy {
  /** The simulator's URL with the proxy's port (http://… or ws://…/ws alike). */
  url(target: string): string;
  freeze(): void;
  thaw(): void;
  /** Black-hole the connections held now (bytes and closes held, both ways); new ones pass. Returns how many. */
  blackHole(): number;
  /** Lift the black hole: what it held goes through, in order (closes included). */
  lift(): void;
  /** Connections whose client end is still open (a black-holed one stays open until lifted). */
  open(): number;
  close(): Promise<void>;
}

interface Pair {
  a: Socket;
  b: Socket;
  /** Black-holed: nothing passes, closes included, until lifted. */
  hole: boolean;
  held: (() => void)[];
}

/** Proxy 127.0.0.1:<random port> → 127.0.0.1:`targetPort`. */
export async function startFreezingProxy(targetPort: number): Promise<FreezingProxy> {
  let frozen = false;
  const pairs: Pair[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pair: Pair = { a: client, b: upstream, hole: false, held: [] };
    pairs.push(pair);
    const pass = (act: () => void) => {
      if (pair.hole) pair.held.push(act);
      else act();
    };
    const pipe = (from: Socket, to: Socket) => {
      from.on("data", (data: Buffer) => {
        const write = () => {
          if (!to.destroyed) to.write(data);
        };
        if (frozen && !pair.hole) pair.held.push(write);
        else pass(write);
      });
      from.on("end", () => pass(() => to.end()));
      from.on("error", () => pass(() => to.destroy()));
      from.on("close", () => pass(() => to.destroy()));
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  const port = address.port;
  const flush = (p: Pair) => {
    for (const act of p.held.splice(0)) act();
  };
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
      for (const p of pairs) if (!p.hole) flush(p);
    },
    blackHole: () => {
      let n = 0;
      for (const p of pairs) {
        if (p.a.destroyed || p.hole) continue;
        p.hole = true;
        n++;
      }
      return n;
    },
    lift: () => {
      for (const p of pairs) {
        if (!p.hole) continue;
        p.hole = false;
        if (!frozen) flush(p);
      }
    },
    open: () => pairs.filter((p) => !p.a.destroyed).length,
    close: async () => {
      for (const p of pairs) {
        p.a.destroy();
        p.b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
