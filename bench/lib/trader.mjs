// The benches' trader on a simulator: a fresh master account funded with `usd`, and an agent
// key it approved (what `hlcopy follow` signs with).
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

/** @returns {Promise<{ account: string, agentKey: `0x${string}` }>} the account lower-cased. */
export async function fundedTrader(httpUrl, usd) {
  const master = privateKeyToAccount(generatePrivateKey());
  const account = master.address.toLowerCase();
  const res = await fetch(`${httpUrl}/control`, {
    method: "POST",
    body: JSON.stringify({ type: "fund", user: account, usd }),
  });
  if (!res.ok) throw new Error(`funding ${account} failed: HTTP ${res.status}`);
  const agentKey = generatePrivateKey();
  await new ExchangeClient({
    transport: new HttpTransport({ apiUrl: httpUrl }),
    wallet: master,
  }).approveAgent({
    agentAddress: privateKeyToAccount(agentKey).address,
    agentName: "hlcopy",
  });
  return { account, agentKey };
}
