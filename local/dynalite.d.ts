/** Types for dynalite 4, the embedded DynamoDB-compatible server (it ships none). */
declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    /** Folder for LevelDB files; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
