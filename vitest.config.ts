import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    {
      // fauxqs ships source maps without their sources; loading its files without the map
      // comment keeps Vite from warning about each of them.
      name: "fauxqs-without-source-maps",
      enforce: "pre",
      load(id) {
        const file = id.split("?")[0] ?? id;
        if (!/[\\/]node_modules[\\/]fauxqs[\\/]dist[\\/].*\.js$/.test(file)) return null;
        return readFileSync(file, "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, "");
      },
    },
  ],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 120_000,
    pool: "forks",
    // fauxqs goes through Vite so that test/notify/sns-filter-policies.test.ts can add
    // the one SNS filter rule it lacks (String.Array attributes; see that test).
    server: { deps: { inline: ["fauxqs"] } },
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
    },
  },
});
