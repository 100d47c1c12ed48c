// bench/ponder/src/index.ts — the handlers: each event becomes one `move` row.
import { ponder } from "ponder:registry";
import { move } from "ponder:schema";

// biome-ignore lint: the benchmark keeps handlers untyped on purpose (ABI read at run time)
const put = async (kind: string, event: any, context: any, address: `0x${string}`, amount: bigint) => {
  await context.db.insert(move).values({
    id: `${event.id}-${kind}`,
    kind,
    block: event.block.number,
    address,
    amount,
  });
};

ponder.on("TokenOut:Transfer", async ({ event, context }) =>
  put("transfer_out", event, context, event.args.from, event.args.value));
ponder.on("TokenIn:Transfer", async ({ event, context }) =>
  put("transfer_in", event, context, event.args.to, event.args.value));
// biome-ignore lint: see above
const pool = (name: string, who: string) => ponder.on(`AavePool:${name}` as any, async ({ event, context }: any) =>
  put(name.toLowerCase(), event, context, event.args[who], event.args.amount ?? event.args.debtToCover));
pool("Supply", "onBehalfOf");
pool("Borrow", "onBehalfOf");
pool("Repay", "user");
pool("Withdraw", "user");
pool("LiquidationCall", "user");
