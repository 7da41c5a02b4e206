// Lot and tick rounding for Hyperliquid perps, done in whole lots and whole ticks so float
// error never produces an invalid size or price. The only place hlcopy rounds sizes/prices.
//
// Rules (docs "Tick and lot size"): a size has at most `szDecimals` decimals; a price has at
// most 5 significant figures AND at most `6 − szDecimals` decimals, and an integer price is
// always valid. Wire strings carry no trailing zeros (they change the signed bytes).

/**
 * Relative tolerance that absorbs float noise such as 0.29 × 100 = 28.999999999999996
 * (a few dozen ulps): a value this close below a whole lot or tick counts as that lot/tick.
 */
const SNAP = 1e-14;

/** Perp prices may have at most 6 − szDecimals decimals. */
const PERP_MAX_DECIMALS = 6;
const MAX_SIG_FIGS = 5;

export type RoundDirection = "down" | "up" | "nearest";

function pow10(n: number): number {
  return 10 ** n;
}

/** The integer nearest to x when x is within float noise of it, else null. */
function snapped(x: number): number | null {
  const r = Math.round(x);
  return Math.abs(x - r) <= SNAP * Math.max(1, Math.abs(x)) ? r : null;
}

function floorTol(x: number): number {
  return snapped(x) ?? Math.floor(x);
}
function ceilTol(x: number): number {
  return snapped(x) ?? Math.ceil(x);
}
function truncTol(x: number): number {
  return snapped(x) ?? Math.trunc(x);
}
/** -0 → 0, so sizes print and compare cleanly. */
function noNegZero(x: number): number {
  return x === 0 ? 0 : x;
}

// ---------------------------------------------------------------------------------------
// Sizes

/** Size → whole lots (10^-szDecimals each), toward zero. Signed. */
export function sizeToLots(size: number, szDecimals: number): number {
  if (!Number.isFinite(size)) return 0;
  return noNegZero(truncTol(size * pow10(szDecimals)));
}

/** Whole lots → size. `lots / 10^d` is the double nearest the decimal, so it prints exactly. */
export function lotsToSize(lots: number, szDecimals: number): number {
  return noNegZero(lots / pow10(szDecimals));
}

/** Our position as lots: the exchange reports whole lots, so round to nearest (not toward zero). */
export function positionToLots(size: number, szDecimals: number): number {
  if (!Number.isFinite(size)) return 0;
  return noNegZero(Math.round(size * pow10(szDecimals)));
}

/**
 * Round a signed size toward zero to a whole number of lots: |result| ≤ |size| (up to
 * 1e-14 relative float noise), so rounding never grows a position.
 */
export function roundSizeToLot(size: number, szDecimals: number): number {
  return lotsToSize(sizeToLots(size, szDecimals), szDecimals);
}

/** A positive, finite size that is a whole number of lots. */
export function isValidSize(size: number, szDecimals: number): boolean {
  if (!Number.isFinite(size) || size <= 0) return false;
  return snapped(size * pow10(szDecimals)) !== null;
}

/** Integer → decimal string with `decimals` implied decimals, trailing zeros stripped. */
function scaledIntToString(n: number, decimals: number): string {
  const negative = n < 0;
  let digits = Math.abs(n).toFixed(0);
  if (decimals > 0) {
    digits = digits.padStart(decimals + 1, "0");
    const int = digits.slice(0, digits.length - decimals);
    const frac = digits.slice(digits.length - decimals).replace(/0+$/, "");
    digits = frac ? `${int}.${frac}` : int;
  }
  return negative && digits !== "0" ? `-${digits}` : digits;
}

/** Wire string of a size: rounded toward zero to the lot, no trailing zeros ("0.5", "12"). */
export function sizeToWire(size: number, szDecimals: number): string {
  return scaledIntToString(sizeToLots(size, szDecimals), szDecimals);
}

// ---------------------------------------------------------------------------------------
// Prices

/** Decimal exponent of a positive number: 10^e ≤ x < 10^(e+1), corrected for log10 noise. */
function exponent10(x: number): number {
  let e = Math.floor(Math.log10(x));
  if (pow10(e) > x) e--;
  else if (pow10(e + 1) <= x) e++;
  return e;
}

/**
 * Decimals a perp price near `px` may carry: min(6 − szDecimals, 5 significant figures),
 * never below 0 (at ≥ 10 000 only integers are valid, and every integer is).
 */
export function priceDecimals(px: number, szDecimals: number): number {
  const maxDecimals = Math.max(PERP_MAX_DECIMALS - szDecimals, 0);
  if (!(px > 0) || !Number.isFinite(px)) return maxDecimals;
  return Math.max(0, Math.min(maxDecimals, MAX_SIG_FIGS - 1 - exponent10(px)));
}

function priceToTicks(px: number, szDecimals: number, direction: RoundDirection): [number, number] {
  const decimals = priceDecimals(px, szDecimals);
  const scaled = px * pow10(decimals);
  const ticks =
    direction === "down" ? floorTol(scaled) : direction === "up" ? ceilTol(scaled) : Math.round(scaled);
  return [ticks, decimals];
}

/**
 * Round a positive price to a valid perp price in the given direction ("down" never exceeds
 * `px`, "up" never goes below it). Returns 0 when rounding down leaves nothing (a price
 * below the smallest tick); a non-positive or non-finite input returns 0.
 */
export function roundPriceToTick(
  px: number,
  szDecimals: number,
  direction: RoundDirection = "nearest",
): number {
  if (!(px > 0) || !Number.isFinite(px)) return 0;
  const [ticks, decimals] = priceToTicks(px, szDecimals, direction);
  // Rounding up across a power of ten (9.99996 → 10) lands on fewer significant figures:
  // still valid, so no second pass is needed.
  return noNegZero(ticks / pow10(decimals));
}

/** A positive finite price the exchange accepts: an integer, or ≤ 5 sig figs and ≤ 6 − szDecimals decimals. */
export function isValidPrice(px: number, szDecimals: number): boolean {
  if (!(px > 0) || !Number.isFinite(px)) return false;
  if (Number.isInteger(px)) return true;
  return snapped(px * pow10(priceDecimals(px, szDecimals))) !== null;
}

/**
 * Wire string of a price: rounded down to a valid price, no trailing zeros. Matches the
 * SDK's `formatPrice` below 100 000; above it the SDK also cuts integers to 5 significant
 * figures (123456.7 → "123450") while we keep the integer ("123456"): both are valid.
 * Returns "0" for a price below the smallest tick.
 */
export function priceToWire(px: number, szDecimals: number): string {
  if (!(px > 0) || !Number.isFinite(px)) return "0";
  const [ticks, decimals] = priceToTicks(px, szDecimals, "down");
  return scaledIntToString(ticks, decimals);
}
