// bench/ponder/ponder.schema.ts — one row per indexed event of a watched address.
import { onchainTable } from "ponder";

export const move = onchainTable("move", (t) => ({
  id: t.text().primaryKey(),
  kind: t.text().notNull(),
  block: t.bigint().notNull(),
  address: t.hex().notNull(),
  amount: t.bigint().notNull(),
}));
