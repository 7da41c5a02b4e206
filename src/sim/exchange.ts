// POST /exchange (and websocket `post` of type "action"): deserialize with the SDK's own
// request schemas, check the nonce window, recover the signer the exchange's way, resolve an
// agent to its master, enforce the per-signer nonce set, then run the action on the engine.

import {
  ApproveAgentRequest,
  ApproveAgentTypes,
  ApproveBuilderFeeRequest,
  ApproveBuilderFeeTypes,
  BatchModifyRequest,
  CancelByCloidRequest,
  CancelRequest,
  CreateSubAccountRequest,
  type CreateSubAccountResponse,
  ModifyRequest,
  NoopRequest,
  OrderRequest,
  ScheduleCancelRequest,
  SetReferrerRequest,
  SubAccountTransferRequest,
  TwapCancelRequest,
  TwapOrderRequest,
  UpdateIsolatedMarginRequest,
  UpdateLeverageRequest,
  UsdClassTransferRequest,
  UsdClassTransferTypes,
  UsdSendRequest,
  UsdSendTypes,
  Withdraw3Request,
  Withdraw3Types,
} from "@nktkas/hyperliquid/api/exchange";
import { canonicalize } from "@nktkas/hyperliquid/signing";
import * as v from "valibot";
import type { Engine } from "./engine.js";
import { DESERIALIZE_ERROR, RequestError } from "./info.js";
import { isWireAddress } from "./numbers.js";
import type {
  CancelResponse,
  DefaultResponse,
  OrderResponse,
  TwapCancelResponse,
  TwapOrderResponse,
} from "./sdk-types.js";
import { type Eip712Types, recoverL1Signer, recoverUserSignedSigner, type WireSignature } from "./signing.js";
import { strictMismatch } from "./strict.js";
import type { Hex } from "./types.js";

const DAY_MS = 86_400_000;
/** Nonces remembered per signer (the exchange keeps at least the 20 highest). */
export const NONCE_SET_SIZE = 20;

export const AUTH_ERR = {
  unknownSigner: (signer: Hex) => `User or API Wallet ${signer} does not exist.`,
  mustDeposit: (signer: Hex) => `Must deposit before performing actions. User: ${signer}`,
  unrecoverable: "Unable to recover signer.",
  duplicateNonce: (nonce: number) => `Invalid nonce: duplicate nonce ${nonce}`,
  nonceTooLow: (nonce: number, least: number) => `Invalid nonce: nonce too low ${nonce} < ${least}`,
  nonceTooHigh: (nonce: number, most: number) => `Invalid nonce: nonce too high ${nonce} > ${most}`,
  expired: "Action already expired",
  /**
   * A vaultAddress that is not a sub-account of the signer's master (vaults themselves are not
   * simulated). The live exchange's text, as public client issue threads quote it.
   */
  vault: (vault: Hex) => `Vault not registered: ${vault}`,
  /** An action that cannot act for a sub-account carried one (live text, seen for usdClassTransfer). */
  vaultNotAllowed: "Vault may not perform this action.",
  /** Simulator wording: a user-signed action for the other network. */
  chain: (expected: string) => `Invalid hyperliquidChain: expected ${expected}`,
  nonceMismatch: "Nonce mismatch.",
} as const;

/** The highest nonces each signer used; a new one must be fresh and above the lowest kept. */
export class NonceBook {
  private readonly sets = new Map<Hex, number[]>();
  /** The nonce fault: refuse this many more requests (of `user` only, when set) as if their nonce were used. */
  fault: { count: number; user: Hex | undefined } = { count: 0, user: undefined };

  /** The nonce fault's error for a request acting for `user`, if it applies (consumes one). */
  faultFor(user: Hex, nonce: number): string | null {
    const f = this.fault;
    if (f.count <= 0 || (f.user !== undefined && f.user !== user)) return null;
    f.count--;
    return AUTH_ERR.duplicateNonce(nonce);
  }

  /** The error for a nonce this signer may not use, or null. */
  check(signer: Hex, nonce: number): string | null {
    const set = this.sets.get(signer);
    if (!set) return null;
    if (set.includes(nonce)) return AUTH_ERR.duplicateNonce(nonce);
    const least = set[0];
    if (set.length >= NONCE_SET_SIZE && least !== undefined && nonce < least) {
      return AUTH_ERR.nonceTooLow(nonce, least);
    }
    return null;
  }

  record(signer: Hex, nonce: number): void {
    let set = this.sets.get(signer);
    if (!set) {
      set = [];
      this.sets.set(signer, set);
    }
    let i = set.length;
    while (i > 0 && (set[i - 1] ?? 0) > nonce) i--;
    set.splice(i, 0, nonce);
    if (set.length > NONCE_SET_SIZE) set.shift();
  }
}

/** HTTP 429 body for an address past its action budget (simulator wording, after the exchange's). */
const RATE_LIMITED =
  "Too many cumulative requests sent for the volume traded. Place taker orders to free up 1 request per USDC traded.";

type Response =
  | OrderResponse
  | CancelResponse
  | DefaultResponse
  | CreateSubAccountResponse
  | TwapOrderResponse
  | TwapCancelResponse;
type AnySchema = v.GenericSchema & { entries: { action: v.GenericSchema } };

interface ActionSpec {
  schema: AnySchema;
  /** EIP-712 types for user-signed actions; undefined for L1 actions. */
  types?: Eip712Types;
  /** What the exchange signs for a user-signed field a client may leave out (or send as null). */
  defaults?: Readonly<Record<string, unknown>>;
}

/**
 * `twapOrder` as the exchange deserializes it: the SDK's schema (the wire key order a, b, s, r,
 * m, t the action hash follows) without its 5–1440 bound on `m`, which the exchange checks
 * after signing and answers inside the reply (`Invalid TWAP duration: 1 min(s)`), not as 422.
 */
const twapEntries = TwapOrderRequest.entries.action.entries;
const TwapOrderWire = v.object({
  ...TwapOrderRequest.entries,
  action: v.object({
    ...twapEntries,
    twap: v.object({ ...twapEntries.twap.entries, m: twapEntries.twap.entries.m.pipe[0] }),
  }),
});

const SPECS: Record<string, ActionSpec> = {
  order: { schema: OrderRequest },
  cancel: { schema: CancelRequest },
  cancelByCloid: { schema: CancelByCloidRequest },
  modify: { schema: ModifyRequest },
  batchModify: { schema: BatchModifyRequest },
  updateLeverage: { schema: UpdateLeverageRequest },
  updateIsolatedMargin: { schema: UpdateIsolatedMarginRequest },
  scheduleCancel: { schema: ScheduleCancelRequest },
  noop: { schema: NoopRequest },
  setReferrer: { schema: SetReferrerRequest },
  createSubAccount: { schema: CreateSubAccountRequest },
  subAccountTransfer: { schema: SubAccountTransferRequest },
  twapOrder: { schema: TwapOrderWire },
  twapCancel: { schema: TwapCancelRequest },
  // The official Python SDK signs `agentName: ""` for an unnamed agent, then deletes the key.
  approveAgent: { schema: ApproveAgentRequest, types: ApproveAgentTypes, defaults: { agentName: "" } },
  approveBuilderFee: { schema: ApproveBuilderFeeRequest, types: ApproveBuilderFeeTypes },
  usdSend: { schema: UsdSendRequest, types: UsdSendTypes },
  usdClassTransfer: { schema: UsdClassTransferRequest, types: UsdClassTransferTypes },
  withdraw3: { schema: Withdraw3Request, types: Withdraw3Types },
};

export function isSupportedAction(type: string): boolean {
  return type in SPECS;
}

const ok: DefaultResponse = { status: "ok", response: { type: "default" } };
const err = (response: string): DefaultResponse => ({ status: "err", response });
const fromError = (e: string | null): DefaultResponse => (e === null ? ok : err(e));

export interface ExchangeContext {
  engine: Engine;
  nonces: NonceBook;
  isTestnet: boolean;
}

/** The action type of a request body, or undefined when there is none. */
export function actionType(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const action = (body as { action?: unknown }).action;
  if (typeof action !== "object" || action === null) return undefined;
  const type = (action as { type?: unknown }).type;
  return typeof type === "string" ? type : undefined;
}

const HEX_UP_TO_32_BYTES = /^0x[0-9a-fA-F]{1,64}$/;

/**
 * The request as the exchange reads it, before the SDK's strict schema sees it:
 * `"vaultAddress": null` and `"expiresAfter": null` (the official Python SDK always sends both)
 * mean absent — the action hash has the same bytes either way (0x00 for no vault, nothing for
 * no expiry) — and a signature `r`/`s` with its leading zeros stripped (any hex of up to 32
 * bytes, as mainnet accepts) is left-padded to 32 bytes.
 */
export function normalizeRequest(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  if (out.vaultAddress === null) delete out.vaultAddress;
  if (out.expiresAfter === null) delete out.expiresAfter;
  const sig = out.signature;
  if (typeof sig === "object" && sig !== null && !Array.isArray(sig)) {
    const padded: Record<string, unknown> = { ...(sig as Record<string, unknown>) };
    for (const k of ["r", "s"] as const) {
      const h = padded[k];
      if (typeof h === "string" && HEX_UP_TO_32_BYTES.test(h))
        padded[k] = `0x${h.slice(2).padStart(64, "0")}`;
    }
    out.signature = padded;
  }
  return out;
}

/**
 * Run one signed exchange request.
 * @throws {RequestError} when the body cannot be deserialized (the exchange answers 422).
 */
export async function handleExchange(ctx: ExchangeContext, rawBody: unknown): Promise<Response> {
  const { engine } = ctx;
  const type = actionType(rawBody);
  const spec = type === undefined ? undefined : SPECS[type];
  if (!spec || type === undefined || typeof rawBody !== "object" || rawBody === null) {
    throw new RequestError(`${DESERIALIZE_ERROR}: unknown action${type ? ` \`${type}\`` : ""}`);
  }
  const body = normalizeRequest(rawBody as Record<string, unknown>);
  // Mainnet's deserializer is strict where the SDK's schemas coerce ("0" for 0, 92000 for "92000").
  const mismatch = strictMismatch(spec.schema, body);
  if (mismatch !== null) throw new RequestError(`${DESERIALIZE_ERROR}: ${mismatch}`);
  const parsed = v.safeParse(spec.schema, body);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const keys = (issue.path ?? []).map((p: { key: unknown }) => p.key);
    // A required key that is absent is serde's `missing field`, reported at the object that
    // lacks it (valibot's "Invalid key: Expected …" is no text the exchange sends).
    const missing = issue.type === "object" && issue.input === undefined && keys.length > 0;
    const at = missing ? keys.slice(0, -1) : keys;
    // The same `action.orders[0].p: …` form as the strict pass.
    const path = at
      .map((key: unknown, i: number) =>
        typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`,
      )
      .join("");
    const message = missing ? `missing field \`${String(keys.at(-1))}\`` : issue.message;
    throw new RequestError(`${DESERIALIZE_ERROR}: ${path ? `${path}: ` : ""}${message}`);
  }
  // A vaultAddress on an action whose schema has no such field is still part of what was
  // signed: read it from the body, not from the schema's output (which drops unknown keys).
  const vaultField = body.vaultAddress;
  if (vaultField !== undefined && !isWireAddress(vaultField)) {
    throw new RequestError(`${DESERIALIZE_ERROR}: vaultAddress invalid address`);
  }
  const vaultAddress = vaultField === undefined ? undefined : (vaultField.toLowerCase() as Hex);
  const raw = body as { action: Record<string, unknown>; signature: WireSignature };
  const req = withCloidRefs(
    raw.action,
    parsed.output as {
      action: Record<string, unknown>;
      nonce: number;
      expiresAfter?: number;
      signature: WireSignature;
    },
  );
  const now = engine.now();
  const { nonce } = req;
  if (nonce <= now - 2 * DAY_MS) return err(AUTH_ERR.nonceTooLow(nonce, now - 2 * DAY_MS));
  if (nonce >= now + DAY_MS) return err(AUTH_ERR.nonceTooHigh(nonce, now + DAY_MS));
  if (req.expiresAfter !== undefined && req.expiresAfter < now) return err(AUTH_ERR.expired);

  let signer: Hex;
  let user: Hex;
  if (spec.types) {
    const chain = ctx.isTestnet ? "Testnet" : "Mainnet";
    if (raw.action.hyperliquidChain !== chain) return err(AUTH_ERR.chain(chain));
    // The signed nonce is the action's `nonce` (or `time`, for transfers); it must be the request's.
    const signedNonce = raw.action.nonce ?? raw.action.time;
    if (signedNonce !== undefined && signedNonce !== nonce) return err(AUTH_ERR.nonceMismatch);
    try {
      signer = await recoverUserSignedSigner({
        action: raw.action as Record<string, unknown> & { signatureChainId: string },
        types: spec.types,
        signature: req.signature,
        ...(spec.defaults ? { defaults: spec.defaults } : {}),
      });
    } catch {
      return err(AUTH_ERR.unrecoverable);
    }
    // Only the account's own key signs user-signed actions: an agent is not a user.
    if (!engine.isUser(signer)) return err(AUTH_ERR.mustDeposit(signer));
    user = signer;
  } else {
    let action: Record<string, unknown>;
    try {
      // Keys the action's type does not have are refused as mainnet's deserializer refuses them.
      canonicalize(spec.schema.entries.action, raw.action);
      // What is hashed is the action as the exchange read it, not the bytes sent: decimals
      // without redundant zeros ("90000.0" is 90000), hex fields (cloid, builder) lower-cased —
      // so a client that signs "90000.0" recovers another signer, as on mainnet (docs, Signing:
      // "issues with trailing zeroes on numbers", "upper case characters in address fields").
      action = canonicalize(spec.schema.entries.action, req.action);
    } catch (e) {
      throw new RequestError(`${DESERIALIZE_ERROR}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      signer = await recoverL1Signer({
        action,
        nonce,
        vaultAddress,
        expiresAfter: req.expiresAfter,
        isTestnet: ctx.isTestnet,
        signature: req.signature,
      });
    } catch {
      return err(AUTH_ERR.unrecoverable);
    }
    const master = engine.isUser(signer) ? signer : engine.agentMaster(signer);
    if (!master) return err(AUTH_ERR.unknownSigner(signer));
    user = master;
    if (vaultAddress) {
      // Trading a sub-account: the signer is its master or an agent the master approved.
      if (engine.subAccountMaster(vaultAddress) !== master) return err(AUTH_ERR.vault(vaultAddress));
      if (!("vaultAddress" in spec.schema.entries)) return err(AUTH_ERR.vaultNotAllowed);
      user = vaultAddress;
    }
  }

  const nonceError = ctx.nonces.faultFor(user, nonce) ?? ctx.nonces.check(signer, nonce);
  if (nonceError) return err(nonceError);
  ctx.nonces.record(signer, nonce);
  const acct = engine.account(user);
  if (acct) {
    // The address's action budget (userRateLimit): past the cap, one request per interval.
    if (!engine.allowRequest(acct)) throw new RequestError(RATE_LIMITED, 429);
    acct.nRequests++;
  }
  // One action is one operation at one time, as the exchange applies it in one block: a batch
  // cancel's orders share their status time (cassette historicalOrders.json: two Alo orders
  // cancelled at one statusTimestamp), its order updates go out together.
  return engine.run(() => execute(engine, user, nonce, req as unknown as { action: { type: string } }));
}

const CLOID_REF = /^0x[0-9a-fA-F]{32}$/;

/**
 * A modify's `oid` is an order id (a JSON number) or a cloid (a string): the SDK's schema tries
 * the integer first and reads "0x000…01" as the number 1 — another order, or none. A string
 * sent is the cloid, lower-cased as the exchange keeps cloids.
 */
function withCloidRefs<T extends { action: Record<string, unknown> }>(
  raw: Record<string, unknown>,
  output: T,
): T {
  const ref = (sent: unknown, read: unknown): unknown =>
    typeof sent === "string" && CLOID_REF.test(sent) ? sent.toLowerCase() : read;
  const a = output.action;
  if (a.type === "modify") {
    return { ...output, action: { ...a, oid: ref(raw.oid, a.oid) } };
  }
  if (a.type === "batchModify" && Array.isArray(a.modifies) && Array.isArray(raw.modifies)) {
    const sent = raw.modifies as { oid?: unknown }[];
    const modifies = (a.modifies as { oid: unknown }[]).map((m, i) => ({
      ...m,
      oid: ref(sent[i]?.oid, m.oid),
    }));
    return { ...output, action: { ...a, modifies } };
  }
  return output;
}

/** Run a verified action; `nonce` is its signed nonce (kept on the orders it places). */
function execute(engine: Engine, user: Hex, nonce: number, request: { action: { type: string } }): Response {
  switch (request.action.type) {
    case "order": {
      const { action } = request as OrderRequest;
      if (action.builder) {
        const approved = engine.account(user)?.builderApprovals.get(action.builder.b) ?? -1;
        if (approved < action.builder.f / 100_000) return err("Builder fee has not been approved.");
      }
      const statuses = engine.placeOrders(user, action.orders, action.builder, action.grouping, nonce);
      return { status: "ok", response: { type: "order", data: { statuses } } };
    }
    case "cancel": {
      const { action } = request as CancelRequest;
      const statuses = action.cancels.map((c) => engine.cancel(user, c.a, c.o));
      return { status: "ok", response: { type: "cancel", data: { statuses } } };
    }
    case "cancelByCloid": {
      const { action } = request as CancelByCloidRequest;
      const statuses = action.cancels.map((c) => engine.cancelByCloid(user, c.asset, c.cloid));
      return { status: "ok", response: { type: "cancel", data: { statuses } } };
    }
    case "modify": {
      const { action } = request as ModifyRequest;
      const status = engine.modify(user, action.oid, action.order, nonce);
      return typeof status === "object" && "error" in status ? err(status.error) : ok;
    }
    case "batchModify": {
      const { action } = request as BatchModifyRequest;
      const statuses = action.modifies.map((m) => engine.modify(user, m.oid, m.order, nonce));
      return { status: "ok", response: { type: "order", data: { statuses } } };
    }
    case "updateLeverage": {
      const { action } = request as UpdateLeverageRequest;
      return fromError(engine.updateLeverage(user, action.asset, action.isCross, action.leverage));
    }
    case "updateIsolatedMargin": {
      const { action } = request as UpdateIsolatedMarginRequest;
      return fromError(engine.updateIsolatedMargin(user, action.asset, action.ntli));
    }
    case "scheduleCancel": {
      const { action } = request as ScheduleCancelRequest;
      return fromError(engine.scheduleCancel(user, action.time));
    }
    case "noop":
      return ok;
    case "setReferrer": {
      const { action } = request as SetReferrerRequest;
      return fromError(engine.setReferrer(user, action.code));
    }
    case "createSubAccount": {
      const { action } = request as CreateSubAccountRequest;
      const created = engine.createSubAccount(user, action.name);
      if ("error" in created) return err(created.error);
      return { status: "ok", response: { type: "createSubAccount", data: created.address } };
    }
    case "subAccountTransfer": {
      const { action } = request as SubAccountTransferRequest;
      return fromError(engine.subAccountTransfer(user, action.subAccountUser, action.isDeposit, action.usd));
    }
    case "twapOrder": {
      const { action } = request as TwapOrderRequest;
      const status = engine.placeTwap(user, action.twap, action.details !== undefined);
      return { status: "ok", response: { type: "twapOrder", data: { status } } };
    }
    case "twapCancel": {
      const { action } = request as TwapCancelRequest;
      const status = engine.cancelTwap(user, action.a, action.t);
      return { status: "ok", response: { type: "twapCancel", data: { status } } };
    }
    case "approveAgent": {
      const { action } = request as ApproveAgentRequest;
      return fromError(engine.approveAgent(user, action.agentAddress, action.agentName ?? ""));
    }
    case "usdSend": {
      const { action } = request as UsdSendRequest;
      return fromError(engine.usdSend(user, action.destination, Number(action.amount)));
    }
    case "usdClassTransfer": {
      const { action } = request as UsdClassTransferRequest;
      // "10.5 subaccount:0x…" (the Python SDK's form for a sub-account): the master moves the
      // sub-account's USDC; the signed amount string is that whole text.
      const m = /^([0-9]+(?:\.[0-9]+)?)(?:\s+subaccount:(0x[0-9a-fA-F]{40}))?$/.exec(action.amount);
      if (!m?.[1]) throw new RequestError(`${DESERIALIZE_ERROR}: action.amount: invalid amount`);
      let target = user;
      if (m[2]) {
        const sub = m[2].toLowerCase() as Hex;
        if (engine.subAccountMaster(sub) !== user) return err(AUTH_ERR.vault(sub));
        target = sub;
      }
      return fromError(engine.usdClassTransfer(target, Number(m[1]), action.toPerp));
    }
    case "withdraw3": {
      const { action } = request as Withdraw3Request;
      return fromError(engine.withdraw(user, Number(action.amount), action.time));
    }
    case "approveBuilderFee": {
      const { action } = request as ApproveBuilderFeeRequest;
      return fromError(engine.approveBuilderFee(user, action.builder, action.maxFeeRate));
    }
    default:
      throw new RequestError(`${DESERIALIZE_ERROR}: unknown action \`${request.action.type}\``);
  }
}
