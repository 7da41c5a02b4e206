// POST /info (and websocket `post` of type "info"): read the request type, check its fields the
// way the exchange's deserializer would, and answer with the SDK-typed view.

import type {
  ExchangeStatusResponse,
  HistoricalOrdersResponse,
  LeadingVaultsResponse,
  MaxBuilderFeeResponse,
  RecentTradesResponse,
  UserBorrowLendInterestResponse,
  UserRoleResponse,
  VaultSummariesResponse,
} from "@nktkas/hyperliquid/api/info";
import type { Engine } from "./engine.js";
import { isWireAddress, isWireCloid } from "./numbers.js";
import type { Hex } from "./types.js";
import * as views from "./views.js";

/** A request the exchange could not deserialize: HTTP 422 with this text. */
export class RequestError extends Error {
  readonly status: number;
  constructor(message: string, status = 422) {
    super(message);
    this.name = "RequestError";
    this.status = status;
  }
}

export const DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type";

type Body = Record<string, unknown>;

function fail(field: string): never {
  throw new RequestError(`${DESERIALIZE_ERROR}: ${field}`);
}

export function readAddress(body: Body, key: string): Hex {
  const v = body[key];
  // serde's words for a required field that is absent.
  if (v === undefined) fail(`missing field \`${key}\``);
  if (!isWireAddress(v)) fail(`${key}: invalid address`);
  return v.toLowerCase() as Hex;
}

function readString(body: Body, key: string): string {
  const v = body[key];
  if (v === undefined) fail(`missing field \`${key}\``);
  if (typeof v !== "string") fail(`${key}: expected a string`);
  return v;
}

function readTime(body: Body, key: string, required: true): number;
function readTime(body: Body, key: string, required: false): number | null;
function readTime(body: Body, key: string, required: boolean): number | null {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) fail(`missing field \`${key}\``);
    return null;
  }
  // A JSON number, as mainnet's deserializer wants it: "1700000000000" is a 422.
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    fail(`${key}: invalid type: ${JSON.stringify(v)}, expected an integer`);
  return v;
}

/** A JSON integer ≥ 0 the request must carry (`marginTable`'s `id`). */
function readUint(body: Body, key: string): number {
  return readTime(body, key, true);
}

/**
 * A perp dex name: a string (the default dex is `""`). The simulator has that one dex and, as for
 * `meta` or `clearinghouseState`, reads any name as it.
 */
function readDex(body: Body, required: boolean): void {
  const v = body.dex;
  if (v === undefined || v === null) {
    if (required) fail("missing field `dex`");
    return;
  }
  if (typeof v !== "string") fail(`dex: invalid type: ${JSON.stringify(v)}, expected a string`);
}

/** A list of user addresses (`batchClearinghouseStates`), each checked like `user`. */
function readAddresses(body: Body, key: string): Hex[] {
  const v = body[key];
  if (v === undefined || v === null) fail(`missing field \`${key}\``);
  if (!Array.isArray(v)) fail(`${key}: invalid type: ${JSON.stringify(v)}, expected a sequence`);
  return v.map((a: unknown, i: number) => {
    if (!isWireAddress(a)) fail(`${key}[${i}]: invalid address`);
    return a.toLowerCase() as Hex;
  });
}

function readBool(body: Body, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") fail(`${key}: expected a boolean`);
  return v;
}

/**
 * Answer one info request.
 * @throws {RequestError} for an unknown type or a malformed field (the exchange answers 422).
 */
export function handleInfo(engine: Engine, body: Body): unknown {
  const type = body.type;
  switch (type) {
    case "meta":
      return views.meta(engine);
    case "metaAndAssetCtxs":
      return views.metaAndAssetCtxs(engine);
    case "allMids":
      return views.allMids(engine);
    case "l2Book": {
      const n = body.nSigFigs;
      if (n !== undefined && n !== null && (typeof n !== "number" || ![2, 3, 4, 5].includes(n))) {
        fail("nSigFigs: expected 2, 3, 4 or 5");
      }
      const mantissa = body.mantissa;
      if (mantissa !== undefined && mantissa !== null) {
        if (typeof mantissa !== "number" || ![1, 2, 5].includes(mantissa))
          fail("mantissa: expected 1, 2 or 5");
        if (n !== 5) fail("mantissa: only allowed when nSigFigs is 5");
      }
      return views.l2Book(
        engine,
        readString(body, "coin"),
        typeof n === "number" ? n : null,
        typeof mantissa === "number" ? mantissa : null,
      );
    }
    case "clearinghouseState":
      return views.clearinghouseState(engine, readAddress(body, "user"));
    case "openOrders":
      return views.openOrders(engine, readAddress(body, "user"));
    case "frontendOpenOrders":
      return views.frontendOpenOrders(engine, readAddress(body, "user"));
    case "userFills":
      return views.userFills(engine, readAddress(body, "user"), readBool(body, "aggregateByTime"));
    case "userFillsByTime":
      return views.userFillsByTime(
        engine,
        readAddress(body, "user"),
        readTime(body, "startTime", true),
        readTime(body, "endTime", false),
        readBool(body, "aggregateByTime"),
        readBool(body, "reversed"),
      );
    case "orderStatus": {
      const user = readAddress(body, "user");
      const oid = body.oid;
      if (typeof oid === "number" && Number.isSafeInteger(oid) && oid >= 0)
        return views.orderStatus(engine, user, oid);
      if (isWireCloid(oid)) return views.orderStatus(engine, user, oid as Hex);
      return fail("oid: expected an order id or a cloid");
    }
    case "historicalOrders": {
      const acct = engine.account(readAddress(body, "user"));
      const orders = acct ? acct.orders.slice(-2000).reverse() : [];
      const out: HistoricalOrdersResponse = orders.map((o) => ({
        order: engine.frontendOrderView(o),
        status: o.status,
        statusTimestamp: o.statusTimestamp,
      }));
      return out;
    }
    case "extraAgents":
      return views.extraAgents(engine, readAddress(body, "user"));
    case "userRole": {
      const user = readAddress(body, "user");
      const agent = engine.agents.get(user);
      const master = engine.subAccountMaster(user);
      const out: UserRoleResponse = master
        ? { role: "subAccount", data: { master } }
        : engine.isUser(user)
          ? { role: "user" }
          : agent
            ? { role: "agent", data: { user: agent.master } }
            : { role: "missing" };
      return out;
    }
    case "maxBuilderFee": {
      const acct = engine.account(readAddress(body, "user"));
      const rate = acct?.builderApprovals.get(readAddress(body, "builder")) ?? 0;
      const out: MaxBuilderFeeResponse = Math.round(rate * 100_000);
      return out;
    }
    case "activeAssetData": {
      const user = readAddress(body, "user");
      const m = engine.marketsByName.get(readString(body, "coin"));
      if (!m) return fail("coin: unknown coin");
      return views.activeAssetData(engine, user, m);
    }
    case "userRateLimit":
      return views.userRateLimit(engine, readAddress(body, "user"));
    case "userFunding":
      return views.userFunding(
        engine,
        readAddress(body, "user"),
        readTime(body, "startTime", false),
        readTime(body, "endTime", false),
      );
    case "userNonFundingLedgerUpdates":
      return views.userNonFundingLedgerUpdates(
        engine,
        readAddress(body, "user"),
        readTime(body, "startTime", false),
        readTime(body, "endTime", false),
      );
    case "fundingHistory":
      return views.fundingHistory(
        engine,
        readString(body, "coin"),
        readTime(body, "startTime", true),
        readTime(body, "endTime", false),
      );
    case "candleSnapshot": {
      const req = body.req;
      if (typeof req !== "object" || req === null) return fail("missing field `req`");
      const r = req as Body;
      const interval = r.interval;
      if (!views.isCandleInterval(interval)) return fail("interval: unknown variant");
      return views.candleSnapshot(
        engine,
        readString(r, "coin"),
        interval,
        readTime(r, "startTime", true),
        readTime(r, "endTime", false),
      );
    }
    case "recentTrades": {
      const m = engine.marketsByName.get(readString(body, "coin"));
      const out: RecentTradesResponse = m ? m.trades.slice(-100).reverse() : [];
      return out;
    }
    case "portfolio":
      return views.portfolio(engine, readAddress(body, "user"));
    case "subAccounts":
      return views.subAccounts(engine, readAddress(body, "user"));
    case "spotMeta":
      return views.spotMeta();
    case "spotMetaAndAssetCtxs":
      return views.spotMetaAndAssetCtxs();
    case "spotClearinghouseState":
      return views.spotClearinghouseState(engine, readAddress(body, "user"));
    case "perpDexs":
      return views.perpDexs();
    case "predictedFundings":
      return views.predictedFundings(engine);
    case "userFees":
      return views.userFees(engine, readAddress(body, "user"));
    case "userVaultEquities":
      readAddress(body, "user");
      return views.userVaultEquities();
    case "delegatorHistory":
      readAddress(body, "user");
      return views.delegatorHistory();
    case "userTwapSliceFills":
      return views.userTwapSliceFills(engine, readAddress(body, "user"));
    // Types other clients call (see views.ts); user-keyed ones check the address like the rest.
    case "batchClearinghouseStates": {
      const users = readAddresses(body, "users");
      readDex(body, false);
      return views.batchClearinghouseStates(engine, users);
    }
    case "allPerpMetas":
      return views.allPerpMetas(engine);
    case "marginTable": {
      const id = readUint(body, "id");
      readDex(body, false);
      return views.marginTable(engine, id);
    }
    case "maxMarketOrderNtls":
      return views.maxMarketOrderNtls(engine);
    case "perpsAtOpenInterestCap":
      readDex(body, false);
      return views.perpsAtOpenInterestCap();
    case "liquidatable":
      return views.liquidatable();
    case "perpDexLimits":
      readDex(body, true);
      return views.perpDexLimits();
    case "perpDexStatus":
      readDex(body, true);
      return views.perpDexStatus(engine);
    case "approvedBuilders":
      return views.approvedBuilders(engine, readAddress(body, "user"));
    case "subAccounts2":
      return views.subAccounts2(engine, readAddress(body, "user"));
    case "delegations":
      readAddress(body, "user");
      return views.delegations();
    case "delegatorSummary":
      readAddress(body, "user");
      return views.delegatorSummary();
    case "delegatorRewards":
      readAddress(body, "user");
      return views.delegatorRewards();
    case "twapHistory":
      return views.twapHistory(engine, readAddress(body, "user"));
    case "userToMultiSigSigners":
      readAddress(body, "user");
      return views.userToMultiSigSigners();
    case "userDexAbstraction":
      readAddress(body, "user");
      return views.userDexAbstraction();
    case "userAbstraction":
      readAddress(body, "user");
      return views.userAbstraction();
    case "vaultDetails":
      readAddress(body, "vaultAddress");
      // `user` is optional (the follower whose state to include); checked when sent.
      if (body.user !== undefined && body.user !== null) readAddress(body, "user");
      return views.vaultDetails();
    // Nothing of these exists in the simulator's world (no vaults, TWAPs or borrowing): the
    // exchange's empty list, as `userVaultEquities` and `userTwapSliceFills` answer.
    case "leadingVaults": {
      readAddress(body, "user");
      const out: LeadingVaultsResponse = [];
      return out;
    }
    case "vaultSummaries": {
      const out: VaultSummariesResponse = [];
      return out;
    }
    case "userTwapSliceFillsByTime": {
      const user = readAddress(body, "user");
      const startTime = readTime(body, "startTime", true);
      const endTime = readTime(body, "endTime", false);
      return views.userTwapSliceFillsByTime(engine, user, startTime, endTime);
    }
    case "userBorrowLendInterest": {
      readAddress(body, "user");
      readTime(body, "startTime", true);
      readTime(body, "endTime", false);
      const out: UserBorrowLendInterestResponse = [];
      return out;
    }
    case "referral":
      return views.referral(engine, readAddress(body, "user"));
    case "isVip":
      readAddress(body, "user");
      return views.isVip();
    case "legalCheck":
      readAddress(body, "user");
      return views.legalCheck();
    case "webData2":
      return views.webData2(engine, readAddress(body, "user"));
    case "exchangeStatus": {
      // No maintenance or upgrade notice: the simulator never has one.
      const out: ExchangeStatusResponse = { time: engine.now(), specialStatuses: null };
      return out;
    }
    default:
      return fail(typeof type === "string" ? `unknown variant \`${type}\`` : "missing field `type`");
  }
}
