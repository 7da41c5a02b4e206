// The floor client of bench/transport-floor.mjs: what ANY program pays in this process to take
// the frames `hlcopy follow` takes and send one request per leader trade — none of hlcopy's own
// work (no planning, signing, journal, models or event lines). One websocket (Node's own, which
// the SDK's transport wraps) subscribed to the streams follow subscribes to (src/exchange/
// streams.ts: the leader's userFills and clearinghouseState; ours — an account that never
// trades here, so its frames do not come — allMids and the bbo of every coin), the leader's fill
// frames parsed, and per leader fill one small POST /info through hlcopy's own HTTP client (as
// small as an order and its reply; nothing to sign). Prints one JSON line per window:
// {fills, frames, cpuMs, ourFills}. argv: httpUrl wsUrl leader coinsCsv warmupS windowS
// [account agentKey rate]
//
// Given an account and its agent key, the floor trades: per leader fill it sends a real IOC
// order of that account (ETH, 0.01, buying and selling in turn, so the account stays flat), signed
// BEFORE the warm-up — a stack of orders with rising nonces, so no signing falls in the window.
// The exchange then fills it and sends that account's fill and state frames, as it does for a
// copied order of `hlcopy follow`: the whole transport of a copy, with none of hlcopy's work.
import { pathToFileURL } from "node:url";

const [httpUrl, wsUrl, leader, coinsCsv, warmupS, windowS, account, agentKey, rate] = process.argv.slice(2);
const root = new URL("../../", import.meta.url);
const { jsonPoster } = await import(pathToFileURL(new URL("dist/exchange/http.js", root).pathname).href);

const us = account ? account.toLowerCase() : "0x000000000000000000000000000000000000f100";
/** The signed order requests, one per leader fill to come (trading floor only). */
const signed = [];
if (account) {
  const { signL1Action } = await import("@nktkas/hyperliquid/signing");
  const { privateKeyToAccount } = await import("viem/accounts");
  const wallet = privateKeyToAccount(agentKey);
  // Enough for the warm-up and the window at the leader's pace, with room (a scripted leader's
  // beat is regular; a fill split in several frames is one trade).
  const count = Math.ceil((Number(warmupS) + Number(windowS) + 10) * Number(rate) * 1.3);
  const first = Date.now();
  for (let i = 0; i < count; i++) {
    const buy = i % 2 === 0;
    const action = {
      type: "order",
      orders: [{ a: 1, b: buy, p: buy ? "3600" : "3200", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    };
    const nonce = first + i;
    signed.push({ action, nonce, signature: await signL1Action({ wallet, action, nonce }) });
  }
  signed.reverse(); // taken from the end
}
const subscriptions = [
  { type: "userFills", user: leader },
  { type: "clearinghouseState", user: leader },
  { type: "userFills", user: us },
  { type: "clearinghouseState", user: us },
  { type: "userFundings", user: us },
  { type: "userNonFundingLedgerUpdates", user: us },
  { type: "allMids" },
  ...coinsCsv.split(",").map((coin) => ({ type: "bbo", coin })),
];
const poster = jsonPoster(httpUrl, 10_000);
const leaderLower = leader.toLowerCase();
let fills = 0;
let frames = 0;
let ourFills = 0;
const ws = new WebSocket(wsUrl);
ws.addEventListener("message", (event) => {
  frames++;
  const text = event.data;
  if (typeof text !== "string" || !text.startsWith('{"channel":"userFills"')) return;
  const msg = JSON.parse(text);
  if (msg.data.isSnapshot) return;
  if (msg.data.user.toLowerCase() !== leaderLower) {
    ourFills += msg.data.fills.length;
    return;
  }
  fills += msg.data.fills.length;
  if (!account) poster.post("info", { type: "openOrders", user: us }).catch(() => {});
  else {
    const next = signed.pop();
    if (next) poster.post("exchange", next).catch(() => {});
  }
});
await new Promise((resolve, reject) => {
  ws.addEventListener("open", resolve, { once: true });
  ws.addEventListener("error", reject, { once: true });
});
for (const subscription of subscriptions) ws.send(JSON.stringify({ method: "subscribe", subscription }));
// The exchange closes a connection that sends nothing for a minute: ping as follow's transport does.
setInterval(() => ws.send(JSON.stringify({ method: "ping" })), 30_000).unref();
let closed = false;
ws.addEventListener("close", () => {
  closed = true;
});
await new Promise((r) => setTimeout(r, Number(warmupS) * 1000));
const fills0 = fills;
const frames0 = frames;
const ourFills0 = ourFills;
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, Number(windowS) * 1000));
const cpu = process.cpuUsage(cpu0);
if (closed || fills === fills0 || (account && (ourFills === ourFills0 || signed.length === 0))) {
  process.stderr.write(
    `floor client: ${closed ? "the websocket closed" : fills === fills0 ? "no leader fill came" : signed.length === 0 ? "the signed orders ran out" : "none of our orders filled"} in the window\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ fills: fills - fills0, frames: frames - frames0, ourFills: ourFills - ourFills0, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
ws.close();
process.exit(0);
