import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { cliSpecsIn, envProblems } from "../support/app-config.js";
import { envOf, loadCompose, service } from "../support/compose.js";

/**
 * Every variable compose sets for an app is one the app reads, with a value it accepts; the
 * worker and topic-setup start with no arguments, so their whole configuration must come out of it.
 */
const APPS = [
  { service: "worker", pkg: "@deletion/deletor-worker", startsWithoutArgs: true },
  { service: "topic-setup", pkg: "@deletion/topic-setup", startsWithoutArgs: true },
  // Run as `docker compose run --rm producer -n 25`: its arguments come from the command line.
  { service: "producer", pkg: "@deletion/producer", startsWithoutArgs: false },
];

const compose = loadCompose();

describe.each(APPS)("$service's compose environment ($pkg)", ({ service: name, pkg, startsWithoutArgs }) => {
  it("is read and accepted by the app's CLI spec", async () => {
    const module = (await import(`${pkg}/config`).catch((error: unknown) => {
      throw new Error(
        `cannot import ${pkg}/config (build it: pnpm turbo run build --filter=${pkg}): ${error}`,
      );
    })) as Record<string, unknown>;
    const specs = cliSpecsIn(module);
    expect(specs.length, `${pkg}/config exports no CLI spec`).toBeGreaterThan(0);
    const env = envOf(service(compose, name));
    for (const spec of specs) {
      expect(envProblems(spec, env), spec.name).toEqual([]);
      if (startsWithoutArgs) {
        const result = parseOptions(spec, [], env);
        expect(result.kind, result.kind === "error" ? result.message : "").toBe("ok");
      }
    }
  });
});
