// Wire formatting and checks (addresses, cloids) and the exchange's tick/lot arithmetic, shared
// by every part of the simulator.
// Sizes are kept as integer lots (size × 10^szDecimals) so positions never drift; prices are
// numbers that sit on the exchange's price grid; USD amounts are printed with 6 decimals.

/**
 * A decimal string as the exchange prints it: at most `maxDecimals` decimals, trailing zeros
 * stripped, and ".0" kept on integers ("30135.0", "0.0147").
 */
export function wire(n: number, maxDecimals: number): string {
  let s = (Object.is(n, -0) ? 0 : n).toFixed(maxDecimals);
  if (s.includes(".")) {
    s = s.replace(/0+$/, "");
    if (s.endsWith(".")) s += "0";
  } else {
    s += ".0";
  }
  return s === "-0.0" ? "0.0" : s;
}

/** USDC amounts (6 decimals). */
export function usd(n: number): string {
  return wire(n, 6);
}

/** Decimal places a perp price may have at this magnitude: ≤ 5 significant figures and ≤ 6 − szDecimals. */
export function pxDecimals(px: number, szDecimals: number): number {
  const maxDecimals = Math.max(6 - szDecimals, 0);
  if (px <= 0) return maxDecimals;
  const intDigits = Math.floor(Math.log10(px)) + 1;
  return Math.max(0, Math.min(maxDecimals, 5 - intDigits));
}

/** The smallest price step at this magnitude. */
export function tickAt(px: number, szDecimals: number): number {
  return 10 ** -pxDecimals(px, szDecimals);
}

/** Round to the price grid (down, up or nearest). The result is always a valid order price. */
export function toPriceGrid(x: number, szDecimals: number, mode: "floor" | "ceil" | "round"): number {
  let d = pxDecimals(x, szDecimals);
  for (let i = 0; i < 3; i++) {
    const f = 10 ** d;
    const scaled = x * f;
    const r =
      mode === "floor"
        ? Math.floor(scaled + 1e-7)
        : mode === "ceil"
          ? Math.ceil(scaled - 1e-7)
          : Math.round(scaled);
    const px = Number((r / f).toFixed(d));
    // Crossing a power of ten can leave one decimal too many (99.999 → 100.00): redo at the new magnitude.
    const d2 = pxDecimals(px, szDecimals);
    if (d2 >= d || px === 0) return px;
    d = d2;
  }
  return Number(x.toFixed(d));
}

/** Price string as the exchange prints it for this market. */
export function fmtPx(px: number, szDecimals: number): string {
  return wire(px, Math.max(6 - szDecimals, 0));
}

/** An average or mark price, which may carry more digits than an order price. */
export function fmtAvgPx(px: number, szDecimals: number): string {
  return wire(px, Math.max(6 - szDecimals, 0) + 2);
}

export function fmtLots(lots: number, szDecimals: number): string {
  return wire(lots / 10 ** szDecimals, szDecimals);
}

/** Count decimals and significant figures of a plain decimal string ("12.340" → 3 dp). */
function decimalShape(s: string): { decimals: number; sigFigs: number; isInteger: boolean } | null {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m) return null;
  const int = (m[1] ?? "").replace(/^0+/, "");
  const frac = (m[2] ?? "").replace(/0+$/, "");
  const digits = (int + frac).replace(/^0+/, "");
  return { decimals: frac.length, sigFigs: digits.length, isInteger: frac.length === 0 };
}

/**
 * The exchange's price rule: an integer is always valid; otherwise at most 5 significant
 * figures and at most 6 − szDecimals decimals.
 */
export function isValidPrice(p: string, szDecimals: number): boolean {
  const shape = decimalShape(p);
  if (!shape) return false;
  if (shape.isInteger) return true;
  return shape.sigFigs <= 5 && shape.decimals <= Math.max(6 - szDecimals, 0);
}

/** Size string → integer lots, or null when it has more than szDecimals decimals. */
export function toLots(s: string, szDecimals: number): number | null {
  const shape = decimalShape(s);
  if (!shape || shape.decimals > szDecimals) return null;
  const [int = "", frac = ""] = s.split(".");
  const lots = Number((int || "0") + frac.padEnd(szDecimals, "0").slice(0, szDecimals));
  return Number.isSafeInteger(lots) ? lots : null;
}

/** Lots for a USD notional at a price, rounded down (at least one lot). */
export function lotsForNotional(usdAmount: number, px: number, szDecimals: number): number {
  return Math.max(1, Math.floor((usdAmount / px) * 10 ** szDecimals));
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const CLOID = /^0x[0-9a-fA-F]{32}$/;

/** 0x + 40 hex digits, either case: an address as the exchange takes it. */
export function isWireAddress(v: unknown): v is string {
  return typeof v === "string" && ADDRESS.test(v);
}

/** 0x + 32 hex digits, either case: a client order id as the exchange takes it. */
export function isWireCloid(v: unknown): v is string {
  return typeof v === "string" && CLOID.test(v);
}
