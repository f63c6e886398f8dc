/**
 * The credential provider of the Lambda bundles. Lambda always hands a function its
 * role's credentials in environment variables, so the SDK's default chain (shared files,
 * SSO, web identity, container and instance metadata: about 100 KB and tens of
 * milliseconds of cold start) could never find anything the environment lacks. The CDK
 * construct aliases `@aws-sdk/credential-provider-node` to this module when bundling;
 * the local runtime and tests keep the default chain.
 */
export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";
