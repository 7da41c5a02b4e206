// Plain result shapes of the adapter. They match the engine's port (src/engine/ports.ts,
// still uncommitted on main) field for field, so the client satisfies ExchangePort
// structurally; when ports.ts lands, one side can re-export the other.

export type OrderResultStatus = "filled" | "partial" | "resting" | "rejected" | "uncertain";

/** The outcome of one sent (or locally refused) order. */
export interface OrderResult {
  cloid: string;
  status: OrderResultStatus;
  /** Size filled in coin units (0 unless filled/partial, or resting after a partial match). */
  filledSize: number;
  avgPx: number | null;
  oid?: number;
  /** The exchange's own message for a rejection, or why a result is uncertain. */
  error?: string;
}

/** An order looked up by cloid: not found, or its exchange status and filled size. */
export type CloidLookup =
  | { found: false }
  | { found: true; status: string; filledSize: number; avgPx: number | null; oid?: number };
