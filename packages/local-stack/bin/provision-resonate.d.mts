// Types for provision-resonate.mjs, which stays plain JavaScript so it runs before any build.
export declare const RESONATE_VERSION: string;
export declare const RESONATE_BINARY_SHA256: string;
export declare function cachedResonateBinary(env?: NodeJS.ProcessEnv): string;
export declare function provisionResonate(options: {
  archive: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}): Promise<{ binary: string; cached: boolean }>;
