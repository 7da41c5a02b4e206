// The agent commands against the in-process simulator, through its real approveAgent signature
// path: generate → show (not approved) → approve → show (approved, valid until) → an order the
// agent signs lands on the master account; an unapproved key is rejected; expiry and refusals.
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { ApiRequestError, ExchangeClient, HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgentApprove } from "../../src/cli/agent/approve.js";
import type { AgentContext, AgentIo } from "../../src/cli/agent/common.js";
import { runAgentGenerate } from "../../src/cli/agent/generate.js";
import { runAgentShow } from "../../src/cli/agent/show.js";
import { resolveNetwork } from "../../src/cli/network.js";
import { ConfigError, OperationalError, UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { ensureAgentApproved, isoDate } from "../../src/exchange/agents.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { agentKeystorePath } from "../../src/store/keystore.js";
import { loadAgentKey } from "../../src/store/secrets.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { Capture, pipedPrompt } from "./io.js";

const DAY = 86_400_000;
const PASS = "sim pass phrase";
const ENV = { HLCOPY_PASSPHRASE: PASS };

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 7 });
});
afterAll(async () => {
  await sim.close();
});

function newMaster(usd = 10_000): { key: Hex; address: Address } {
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address.toLowerCase() as Address;
  if (usd > 0) sim.control.fund(address, usd);
  return { key, address };
}

function context(configDir: string, account: Address | null, env: NodeJS.ProcessEnv = ENV): AgentContext {
  // keystoreScryptN: fast keystores, reachable only in-process (the CLI always writes 2^18).
  return { configDir, network: resolveNetwork(sim.httpUrl), account, json: true, env, keystoreScryptN: 1024 };
}

function io(lines: string[] = []): AgentIo & { out: Capture; err: Capture } {
  return { out: new Capture(), err: new Capture(), prompt: pipedPrompt(lines).prompt };
}

/** Run a command with --json and return its one JSON document. */
async function json(
  run: (ctx: AgentContext, io: AgentIo) => Promise<unknown>,
  ctx: AgentContext,
  lines: string[] = [],
): Promise<Record<string, unknown>> {
  const x = io(lines);
  await run(ctx, x);
  const docs = x.out.text.trim().split("\n");
  expect(docs).toHaveLength(1);
  return JSON.parse(docs[0] ?? "") as Record<string, unknown>;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

function agentExchange(privateKey: Hex): ExchangeClient {
  return new ExchangeClient({
    transport: new HttpTransport({ apiUrl: sim.httpUrl }),
    wallet: privateKeyToAccount(privateKey),
  });
}

/** A resting BTC bid far below the market: it lands in the book without filling. */
function restingBid(exchange: ExchangeClient) {
  return exchange.order({
    orders: [{ a: 0, b: true, p: "50000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } } }],
    grouping: "na",
  });
}

describe("agent lifecycle on the simulator", () => {
  it("generate → show → approve → show → the agent's order lands on the master account", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = context(dir, master.address);

    const generated = await json((c, i) => runAgentGenerate(c, {}, i), ctx);
    // generate says the address as show does (agentAddress); address is its deprecated alias.
    const agent = generated.agentAddress as Address;
    expect(generated.address).toBe(agent);
    expect(agent).toMatch(/^0x[0-9a-f]{40}$/);
    expect(agent).not.toBe(master.address);
    expect(statSync(agentKeystorePath(dir)).mode & 0o777).toBe(0o600);

    // Never approved: the document, then exit 2 (as follow and reconcile refuse it).
    const notApproved = io();
    expect(await runAgentShow(ctx, notApproved)).toBe(2);
    const before = JSON.parse(notApproved.out.text) as Record<string, unknown>;
    expect(before).toMatchObject({
      agentAddress: agent,
      account: master.address,
      approved: false,
      name: null,
    });

    // Not approved: the pre-trade check stops with the exact fixing command, and the exchange
    // rejects what the agent signs.
    const notYet = (await rejection(
      ensureAgentApproved({
        httpUrl: sim.httpUrl,
        isTestnet: false,
        account: master.address,
        agentAddress: agent,
        networkName: sim.httpUrl,
      }),
    )) as OperationalError;
    expect(notYet).toBeInstanceOf(OperationalError);
    expect(notYet.exitCode).toBe(2);
    expect(notYet.hint).toContain(
      `hlcopy --network ${sim.httpUrl} --account ${master.address} agent approve`,
    );
    const loaded = await loadAgentKey({ configDir: dir, account: master.address, env: ENV });
    expect(loaded).toMatchObject({ address: agent, source: "keystore" });
    const unapproved = await rejection(restingBid(agentExchange(loaded.privateKey)));
    expect(unapproved).toBeInstanceOf(ApiRequestError);
    expect(unapproved.message).toContain("does not exist");

    // Approve with the master key from stdin (one line), signed through the real path.
    const t0 = Date.now();
    const approved = await json((c, i) => runAgentApprove(c, {}, i), ctx, [master.key]);
    expect(approved).toMatchObject({
      approved: true,
      account: master.address,
      agentAddress: agent,
      name: "hlcopy",
    });
    expect(approved.validUntil).toBeGreaterThanOrEqual(t0 + 90 * DAY);
    expect(approved.validUntil).toBeLessThanOrEqual(Date.now() + 90 * DAY);
    expect(sim.control.stats().actionByType.approveAgent).toBeGreaterThanOrEqual(1);

    const after = await json(runAgentShow, ctx);
    expect(after).toMatchObject({
      agentAddress: agent,
      approved: true,
      expired: false,
      name: "hlcopy",
      validUntil: approved.validUntil,
    });
    // A fresh 90-day approval reads 90 in approve and in show (days left rounded up, once).
    expect(approved.daysLeft).toBe(90);
    expect(after.daysLeft).toBe(90);

    const warnings: string[] = [];
    const status = await ensureAgentApproved({
      httpUrl: sim.httpUrl,
      isTestnet: false,
      account: master.address,
      agentAddress: agent,
      warn: (line) => warnings.push(line),
    });
    expect(status.approved).toBe(true);
    expect(warnings).toEqual([]);

    // Signed by the agent, the order is the master's.
    const res = await restingBid(agentExchange(loaded.privateKey));
    const resting = res.response.data.statuses[0] as { resting: { oid: number } };
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }) });
    const orders = await info.openOrders({ user: master.address });
    expect(orders.map((o) => o.oid)).toContain(resting.resting.oid);
    expect(await info.openOrders({ user: agent })).toEqual([]);

    // Another key, never approved, is still rejected.
    const stranger = await rejection(restingBid(agentExchange(generatePrivateKey())));
    expect(stranger).toBeInstanceOf(ApiRequestError);
  });

  it("an approval's last day is said '1 day', never '1 days' (approve, show and its warning)", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = { ...context(dir, master.address), json: false };
    await runAgentGenerate(ctx, {}, io());
    const approved = io([master.key]);
    await runAgentApprove(ctx, { name: "desk", validDays: "1" }, approved);
    expect(approved.out.text).toContain("(1 day left)");
    const shown = io();
    expect(await runAgentShow(ctx, shown)).toBe(0);
    expect(shown.out.text).toContain("(1 day left)");
    expect(shown.err.text).toMatch(/^warning: the approval ends in 1 day; renew it/);
    expect(approved.out.text + shown.out.text + shown.err.text).not.toContain("1 days");
  });

  it("text output: the address and the next step, never the key", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = { ...context(dir, master.address), json: false };
    const x = io();
    await runAgentGenerate(ctx, {}, x);
    expect(x.out.text).toMatch(/^Agent address: 0x[0-9a-f]{40}\n/);
    expect(x.out.text).toContain(`hlcopy --network ${sim.httpUrl} --account ${master.address} agent approve`);
    // Never approved: shown, then said as an error with the approval (only the flags the
    // context does not give: here no config file, so --network and --account), exit 2.
    const shown = io();
    expect(await runAgentShow(ctx, shown)).toBe(2);
    expect(shown.out.text).toContain("approved     no\n");
    expect(shown.out.text).not.toContain("Approve it:");
    expect(shown.err.text).toBe(
      `error: agent ${shown.out.text.match(/^agent +(0x[0-9a-f]{40})/)?.[1]} is not approved for ${master.address}: hlcopy cannot trade with it\nhint: approve it: hlcopy --network ${sim.httpUrl} --account ${master.address} agent approve\n`,
    );
    const approved = io([master.key]);
    await runAgentApprove(ctx, { name: "desk", validDays: "30" }, approved);
    expect(approved.out.text).toContain("(30 days left)");
    const again = io();
    expect(await runAgentShow(ctx, again)).toBe(0);
    expect(again.out.text).toContain("approved     yes");
    expect(again.out.text).toContain("name         desk");
    expect(again.out.text).toContain("(30 days left)");
    expect(again.err.text).toBe("");
    // A keystore others may read: show still shows (it reads only the address) and warns that
    // follow and reconcile refuse it, with the chmod.
    const file = agentKeystorePath(dir);
    chmodSync(file, 0o644);
    const exposed = io();
    await runAgentShow(ctx, exposed);
    expect(exposed.out.text).toContain("approved     yes");
    expect(exposed.err.text).toBe(
      `warning: keystore ${file} can be read by other users (mode 0644): follow and reconcile refuse it; make it yours alone, then run again: chmod 600 ${file}\n`,
    );
  });

  it("expiry: a warning under 7 days, exit 2 once expired", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = context(dir, master.address);
    const { address: agent } = await json((c, i) => runAgentGenerate(c, {}, i), ctx);
    await json((c, i) => runAgentApprove(c, { validDays: 3 }, i), ctx, [master.key]);
    const params = {
      httpUrl: sim.httpUrl,
      isTestnet: false,
      account: master.address,
      agentAddress: agent as Address,
    };

    const warnings: string[] = [];
    await ensureAgentApproved({ ...params, warn: (line) => warnings.push(line) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: the agent approval ends on .* \(3 days left\); renew it: hlcopy/);

    const shown = io();
    await runAgentShow({ ...ctx, json: false }, shown);
    expect(shown.err.text).toContain("warning: the approval ends in 3 days");

    const expired = (await rejection(
      ensureAgentApproved({ ...params, now: Date.now() + 4 * DAY }),
    )) as OperationalError;
    expect(expired).toBeInstanceOf(OperationalError);
    expect(expired.exitCode).toBe(2);
    expect(expired.message).toContain("expired");
    expect(expired.hint).toContain("agent approve");
  });

  it("agent show of an expired approval: shown, then said as an error with the renewal under its name, exit 2 (as follow refuses it)", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = context(dir, master.address);
    const { agentAddress: agent } = await json((c, i) => runAgentGenerate(c, {}, i), ctx);
    // Approved under a name of its own, with an expiry already past (signed by the master key).
    const until = Date.now() - DAY;
    await agentExchange(master.key).approveAgent({
      agentAddress: agent as Address,
      agentName: `desk valid_until ${until}`,
    });

    const text = io();
    expect(await runAgentShow({ ...ctx, json: false }, text)).toBe(2);
    expect(text.out.text).toContain("approved     no (expired)");
    expect(text.out.text).not.toContain("Approve it:");
    expect(text.err.text).toBe(
      `error: the approval of agent ${agent} for ${master.address} expired on ${isoDate(until)}: hlcopy cannot trade with it\nhint: renew it: hlcopy --network ${sim.httpUrl} --account ${master.address} agent approve --name desk\n`,
    );

    const x = io();
    expect(await runAgentShow(ctx, x)).toBe(2);
    const doc = JSON.parse(x.out.text) as Record<string, unknown>;
    expect(doc).toMatchObject({
      type: "agent",
      agentAddress: agent,
      approved: false,
      expired: true,
      name: "desk",
    });
    expect(x.err.text).toBe("");

    // The binary exits with it.
    const cli = await runCli([
      "--config-dir",
      dir,
      "--network",
      sim.httpUrl,
      "--account",
      master.address,
      "agent",
      "show",
    ]);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toContain("approved     no (expired)");
    expect(cli.stderr).toContain("hint: renew it: hlcopy");

    // A live approval: exit 0.
    await json((c, i) => runAgentApprove(c, { name: "desk", validDays: "30" }, i), ctx, [master.key]);
    expect(await runAgentShow(ctx, io())).toBe(0);
  });
});

describe("agent approve refusals (nothing is signed or sent)", () => {
  it("a master key that is not --account's", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = context(dir, master.address);
    await json((c, i) => runAgentGenerate(c, {}, i), ctx);
    const sent = sim.control.stats().actionByType.approveAgent ?? 0;
    const other = generatePrivateKey();
    const error = (await rejection(runAgentApprove(ctx, {}, io([other])))) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("not to your account");
    expect(`${error.message}${error.hint}`).not.toContain(other.slice(2));
    expect(sim.control.stats().actionByType.approveAgent ?? 0).toBe(sent);
  });

  it("the agent's own key pasted as the master key: said as the agent's, nothing sent", async () => {
    const master = newMaster();
    const agentKey = generatePrivateKey();
    const ctx = context(tempDir(), master.address, { ...ENV, HLCOPY_AGENT_KEY: agentKey });
    const sent = sim.control.stats().actionByType.approveAgent ?? 0;
    const error = (await rejection(runAgentApprove(ctx, {}, io([agentKey])))) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^that is the agent's own key \(0x[0-9a-f]{40}\), the one being approved/);
    expect(error.hint).toContain(`master account ${master.address}`);
    expect(`${error.message}${error.hint}`).not.toContain(agentKey.slice(2));
    expect(sim.control.stats().actionByType.approveAgent ?? 0).toBe(sent);
  });

  it("a keystore whose address field was edited to another address: refused, the edited address never approved", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = context(dir, master.address);
    await json((c, i) => runAgentGenerate(c, {}, i), ctx);
    // The address field is plain text beside the encrypted key: anyone who can write the config
    // dir could put their own address there.
    const file = agentKeystorePath(dir);
    const stranger = "1".repeat(40);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), address: stranger }));
    const sent = sim.control.stats().actionByType.approveAgent ?? 0;
    const x = io([master.key]);
    const error = (await rejection(runAgentApprove(ctx, {}, x))) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("holds a key that does not match its address field");
    // Refused before the master key was asked for, and nothing signed.
    expect(await x.prompt.secret("", "")).toBe(master.key);
    expect(sim.control.stats().actionByType.approveAgent ?? 0).toBe(sent);
    const agents = (await (
      await fetch(`${sim.httpUrl}/info`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "extraAgents", user: master.address }),
      })
    ).json()) as { address: string }[];
    expect(agents.map((a) => a.address)).not.toContain(`0x${stranger}`);
  });

  it("bad --name / --valid-days, no account, no agent: refused before asking for the master key", async () => {
    const master = newMaster();
    const dir = tempDir();
    const ctx = context(dir, master.address);
    await json((c, i) => runAgentGenerate(c, {}, i), ctx);
    for (const opts of [
      { validDays: "0" },
      { validDays: "181" },
      { validDays: "1.5" },
      { name: "x".repeat(17) },
      { name: "" },
    ]) {
      const x = io([master.key]);
      expect(await rejection(runAgentApprove(ctx, opts, x))).toBeInstanceOf(UsageError);
      expect(await x.prompt.secret("", "")).toBe(master.key); // the line was never consumed
    }
    // The error says what the user typed, never a stand-in for it.
    for (const typed of ["1.5", "-3"]) {
      const e = await rejection(runAgentApprove(ctx, { validDays: typed }, io([master.key])));
      expect(e.message).toBe(`invalid --valid-days "${typed}": a whole number of days from 1 to 180`);
    }
    // Not a number as the settings read one (" 30" is not 30): said with their rule.
    for (const typed of ["abc", " 30", "0x1e"]) {
      const e = await rejection(runAgentApprove(ctx, { validDays: typed }, io([master.key])));
      expect(e.message).toBe(
        `invalid --valid-days "${typed}": numbers are plain decimals (digits and an optional fraction: no hex, exponent, spaces or units); expected a whole number of days from 1 to 180`,
      );
    }
    const noAccount = await rejection(runAgentApprove(context(dir, null), {}, io([master.key])));
    expect(noAccount.message).toContain("needs your follower account");
    const noAgent = await rejection(
      runAgentApprove(context(tempDir(), master.address), {}, io([master.key])),
    );
    expect(noAgent.message).toContain("no agent key");
  });

  it("the agent key is the master key itself: exit 2, suggests generate", async () => {
    const master = newMaster();
    const ctx = context(tempDir(), master.address, { HLCOPY_AGENT_KEY: master.key });
    const error = (await rejection(runAgentApprove(ctx, {}, io([master.key])))) as OperationalError;
    expect(error).toBeInstanceOf(OperationalError);
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain("hlcopy agent generate");
  });

  it("the exchange's refusal is reported with its message (an agent key whose address holds funds)", async () => {
    // (An unfunded master is refused before the master key is asked: approve-account.cli.test.ts.)
    const master = newMaster();
    const agent = newMaster(100);
    const ctx = context(tempDir(), master.address, { HLCOPY_AGENT_KEY: agent.key });
    const error = await rejection(runAgentApprove(ctx, {}, io([master.key])));
    expect(error).toBeInstanceOf(OperationalError);
    expect(error.message).toMatch(/^the exchange refused approveAgent: Agent address is already a user/);
  });
});
