// Figures over several runs, for every bench (no side effects: follow-harness.mjs, which
// re-executes and probes the process that imports it, re-exports these).

/** The p-quantile of `xs`, interpolated (NaN for none). */
export function quantile(xs, p) {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
}

/** Median and range over runs: "2.1 [1.8–2.6]". */
export function summary(values, digits = 1) {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return "n/a";
  const f = (x) => x.toFixed(digits);
  return ok.length === 1 ? f(ok[0]) : `${f(quantile(ok, 0.5))} [${f(Math.min(...ok))}–${f(Math.max(...ok))}]`;
}
