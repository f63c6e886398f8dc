/**
 * One outcry Lambda function: an ESM bundle built locally by esbuild, carrying the
 * validated configuration, with its own log group and a role that can write only there.
 */
import { basename, join } from "node:path";
import { type Duration, RemovalPolicy } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { BUNDLED_CONFIG_FILE, BUNDLED_REPLAY_DIR, type BundledConfig } from "../app-config";

/** In Lambda, credentials come from the environment only (see the module's comment). */
const LAMBDA_CREDENTIALS = join(
  import.meta.dirname,
  "..",
  "..",
  "lambdas",
  "wiring",
  "lambda-credentials.ts",
);

/** Lets CommonJS dependencies call `require` inside the ESM bundle. */
const REQUIRE_SHIM =
  "import { createRequire as outcryCreateRequire } from 'node:module'; const require = outcryCreateRequire(import.meta.url);";

/** Properties of an {@link OutcryFunction}. */
export interface OutcryFunctionProps {
  /** Absolute path of the handler module (it exports `handler`). */
  readonly entry: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** Memory in MB. */
  readonly memorySize: number;
  readonly timeout: Duration;
  /** The configuration copied into the bundle. */
  readonly bundledConfig: BundledConfig;
  /** Variables added to the common ones (config file, Powertools settings). */
  readonly environment?: Record<string, string>;
  /** Files copied beside the bundle (e.g. the dashboard page), by their absolute paths. */
  readonly files?: readonly string[];
  /**
   * Concurrent executions reserved for the function (and its cap); "unreserved" shares
   * the account's pool (config `concurrency`).
   */
  readonly reservedConcurrency: number | "unreserved";
  /**
   * Retries of a failed asynchronous invocation.
   * @default 2 (the Lambda default)
   */
  readonly retryAttempts?: number;
}

/**
 * A Node.js Lambda function of outcry.
 *
 * @example
 * const collect = new OutcryFunction(this, "Collect", {
 *   entry: join(root, "lambdas/handlers/collect.ts"),
 *   description: "Collects counts",
 *   memorySize: 256,
 *   timeout: Duration.seconds(50),
 *   bundledConfig,
 *   reservedConcurrency: 1,
 * });
 * table.grantReadWriteData(collect.function);
 */
export class OutcryFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  /** The execution role; it starts with log writes to `logGroup` only. */
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: OutcryFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      // Logs expire within a month anyway; a retained group would only outlive its function.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, which allows writing to any group.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    const { configFile, replayFiles } = props.bundledConfig;
    this.function = new NodejsFunction(this, "Function", {
      entry: props.entry,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      retryAttempts: props.retryAttempts,
      ...(props.reservedConcurrency === "unreserved"
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: {
        OUTCRY_CONFIG_FILE: BUNDLED_CONFIG_FILE,
        POWERTOOLS_SERVICE_NAME: "outcry",
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ["module", "main"],
        banner: REQUIRE_SHIM,
        minify: true,
        sourceMap: false,
        // The AWS SDK is bundled and minified: one file loads in a fraction of the time
        // the runtime's unbundled copy takes (see `npm run bench`), and each function
        // carries only the clients it calls.
        externalModules: [],
        esbuildArgs: {
          "--alias:@aws-sdk/credential-provider-node": LAMBDA_CREDENTIALS,
        },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Local bundling runs these in a POSIX shell (Linux, macOS, WSL).
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp "${configFile}" "${outputDir}/${BUNDLED_CONFIG_FILE}"`,
            ...(replayFiles.length > 0 ? [`mkdir -p "${outputDir}/${BUNDLED_REPLAY_DIR}"`] : []),
            ...replayFiles.map(
              (file) => `cp "${file}" "${outputDir}/${BUNDLED_REPLAY_DIR}/${basename(file)}"`,
            ),
            ...(props.files ?? []).map((file) => `cp "${file}" "${outputDir}/${basename(file)}"`),
          ],
        },
      },
    });
  }
}
