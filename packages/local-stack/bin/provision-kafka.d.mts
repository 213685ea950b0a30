// Types for provision-kafka.mjs, which stays plain JavaScript so it runs before any build.
export declare const POM_PATH: string;
export declare class ProvisionError extends Error {}
export declare function cacheRoot(env?: NodeJS.ProcessEnv): string;
export declare function kafkaVersion(): string;
export declare function kafkaDir(env?: NodeJS.ProcessEnv): string;
export declare function isProvisioned(dir: string): boolean;
export declare function javaCommand(env?: NodeJS.ProcessEnv): string;
export interface ProvisionResult {
  dir: string;
  version: string;
  cached: boolean;
}
export declare function provisionKafka(options?: {
  env?: NodeJS.ProcessEnv;
  force?: boolean;
  log?: (message: string) => void;
}): Promise<ProvisionResult>;
export declare function isMain(moduleUrl: string): boolean;
