// bench/ponder/ponder.config.ts — Ponder indexing the benchmark chain's Pool events and
// token transfers of the watched addresses. Everything comes from the environment that
// bench/run sets: BENCH_CHAIN (chain.json), BENCH_RPC (comma-separated URLs: one URL is
// Ponder's default limiter, the same URL listed with distinct ?b=N lifts it), BENCH_DB.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createConfig } from "ponder";
import { erc20Abi } from "viem";

const chain = JSON.parse(readFileSync(process.env.BENCH_CHAIN as string, "utf8"));
const require = createRequire(import.meta.url);
const pool = require("@aave/core-v3/artifacts/contracts/protocol/pool/Pool.sol/Pool.json");
const poolEvents = pool.abi.filter(
  (x: { type: string; name: string }) =>
    x.type === "event" &&
    ["Supply", "Borrow", "Repay", "Withdraw", "LiquidationCall"].includes(x.name),
);
const watched: `0x${string}`[] = chain.watched_addresses;
const tokens: `0x${string}`[] = Object.values(chain.tokens);
const rpc = (process.env.BENCH_RPC as string).split(",");
const startBlock = Number(process.env.BENCH_START ?? 0);

export default createConfig({
  database: { kind: "pglite", directory: process.env.BENCH_DB as string },
  chains: { anvil: { id: 31337, rpc: rpc.length === 1 ? rpc[0] : rpc, disableCache: true } },
  contracts: {
    // One entry per event name and direction: a filter naming an event twice keeps the last.
    AavePool: {
      chain: "anvil",
      abi: poolEvents,
      address: chain.pool,
      startBlock,
      filter: [
        { event: "Supply", args: { onBehalfOf: watched } },
        { event: "Borrow", args: { onBehalfOf: watched } },
        { event: "Repay", args: { user: watched } },
        { event: "Withdraw", args: { user: watched } },
        { event: "LiquidationCall", args: { user: watched } },
      ],
    },
    TokenOut: {
      chain: "anvil",
      abi: erc20Abi,
      address: tokens,
      startBlock,
      filter: { event: "Transfer", args: { from: watched } },
    },
    TokenIn: {
      chain: "anvil",
      abi: erc20Abi,
      address: tokens,
      startBlock,
      filter: { event: "Transfer", args: { to: watched } },
    },
  },
});
