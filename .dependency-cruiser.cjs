/**
 * The layering of outcry, checked by `npm test` (test/architecture/layers.test.ts) and by
 * `npx depcruise --config .dependency-cruiser.cjs bin lib contract lambdas local backtest dashboard bench`.
 * Every import points down the pipeline (ARCHITECTURE.md draws it):
 *
 *   bin, bench                      commands
 *   lib                             the CDK app
 *   local, backtest                 the other two runtimes
 *   lambdas/handlers                entry points
 *   lambdas/wiring                  dependencies, secrets, environment, bundled config
 *   lambdas/api                     HTTP: routes, responses, OpenAPI
 *   lambdas/usecases                one file a use case
 *   lambdas/{sources,store,notify,queue,http}   adapters
 *   lambdas/sources/<kind>/config.ts   a source kind's settings: pure, part of the config schema
 *   lambdas/domain                  pure rules, ports and wording
 *   contract                        what the dashboard and the functions share
 */
const lambdas = (folders) => `^lambdas/(${folders.join("|")})/`;
/** A source kind's settings schema: pure, so the domain's config schema can compose it. */
const sourceSettings = "^lambdas/sources/[^/]+/config\\.ts$";
const below = {
  contract: ["^contract/"],
  domain: ["^contract/", lambdas(["domain"]), sourceSettings],
};
below.adapters = [...below.domain, lambdas(["http"])];
below.usecases = [...below.domain, lambdas(["usecases"])];
below.api = [...below.usecases, lambdas(["api"])];

/** A rule: files under `from` import only what `allowed` matches (or packages). */
function only(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: "error",
    from: { path: from },
    to: {
      path: "^(bin|lib|contract|lambdas|local|backtest|dashboard|bench|test)/",
      pathNot: allowed,
    },
  };
}

/** A rule: files under `from` never import what `to` matches. */
function never(name, from, to, comment) {
  return { name, comment, severity: "error", from: { path: from }, to: { path: to } };
}

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Files that import each other in a loop have no order to be read or changed in.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    only(
      "contract-stands-alone",
      "^contract/",
      below.contract,
      "The contract imports only itself.",
    ),
    only(
      "domain-is-pure",
      "^lambdas/domain/",
      below.domain,
      "Domain code imports only the domain and the contract: no adapter, no AWS, no HTTP.",
    ),
    only(
      "source-settings-are-pure",
      sourceSettings,
      below.domain,
      "A source kind's settings schema is read by the config schema, so it is held to the domain's rule.",
    ),
    only(
      "store-alone",
      "^lambdas/store/",
      [...below.domain, "^lambdas/store/"],
      "The DynamoDB adapter needs nothing of the other adapters.",
    ),
    only(
      "sources-alone",
      "^lambdas/sources/",
      [...below.adapters, "^lambdas/sources/"],
      "A source reads through the HTTP client and the domain's ports, nothing else.",
    ),
    only(
      "notify-alone",
      "^lambdas/notify/",
      [...below.adapters, "^lambdas/notify/"],
      "A notifier sends through the HTTP client or an SDK, nothing else of ours.",
    ),
    only(
      "queue-alone",
      "^lambdas/queue/",
      [...below.domain, "^lambdas/queue/"],
      "The shard queue hands jobs to SQS and needs nothing of the other adapters.",
    ),
    only(
      "http-alone",
      "^lambdas/http/",
      [...below.domain, "^lambdas/http/"],
      "The HTTP client serves sources and webhooks and knows neither.",
    ),
    only(
      "usecases-over-ports",
      "^lambdas/usecases/",
      below.usecases,
      "A use case works through the domain's ports; the adapters are given to it.",
    ),
    only("api-over-usecases", "^lambdas/api/", below.api, "Routes call use cases, not stores."),
    never(
      "lambdas-not-above",
      "^(lambdas|contract)/",
      "^(bin|lib|local|backtest|bench|test|dashboard)/",
      "Function code never reaches the runtimes, the CDK app, the commands or tests.",
    ),
    never(
      "wiring-below-handlers",
      "^lambdas/wiring/",
      "^lambdas/handlers/",
      "Wiring builds what entry points use; it never imports one.",
    ),
    only(
      "dashboard-page-over-contract",
      "^dashboard/src/",
      ["^contract/", "^lambdas/domain/", "^dashboard/src/"],
      "The page runs in a browser: it takes the contract and pure domain code (the same wording), nothing with I/O.",
    ),
    never(
      "runtimes-apart",
      "^(local|backtest)/",
      "^(bin|lib|bench|test)/",
      "The local runtime and the backtest sit below the CDK app and the commands.",
    ),
    never(
      "backtest-without-local",
      "^backtest/",
      "^local/",
      "The backtest runs without the local runtime.",
    ),
    never(
      "no-test-code-in-the-product",
      "^(bin|lib|contract|lambdas|local|backtest|dashboard)/",
      "^(test|bench)/",
      "Tests and benchmarks drive the product; the product never needs them.",
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
