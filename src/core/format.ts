// Numbers and addresses for one-line details (skip reasons, cap notes).

/** 0x1234…abcd, for one-line details. */
export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** A number for a one-line detail: at most 6 significant figures, no exponent for usual values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-9) return x.toPrecision(4);
  return String(Number(x.toPrecision(6)));
}
