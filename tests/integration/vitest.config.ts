import { defineConfig } from "vitest/config";

// One real broker for the whole run (see @deletion/test-kit); tests isolate themselves with
// unique topic and group names. Tests spawn real app processes, so they get generous timeouts
// and run one file at a time to keep a 2-core machine from starving the broker.
export default defineConfig({
  test: {
    globalSetup: ["@deletion/test-kit/global-setup"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ["verbose"],
  },
});
