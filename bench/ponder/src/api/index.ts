// bench/ponder/src/api/index.ts — Ponder 0.16 requires an API file; the benchmark only
// reads /status and /ready, which Ponder serves itself.
import { Hono } from "hono";

const app = new Hono();
export default app;
