import { describe, expect, it } from "vitest";
import { loadCompose } from "../support/compose.js";
import { composeCommands } from "../support/compose-commands.js";
import { readText } from "../support/repo.js";

describe("deploy/README.md", () => {
  const services = Object.keys(loadCompose().services);
  const commands = composeCommands(readText("deploy/README.md"));

  it("names only compose services in its `docker compose` commands", () => {
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      for (const name of command.services) expect(services, command.text).toContain(name);
    }
  });

  it("walks through the failover demo: 3 workers, 25 records, one replica killed", () => {
    const texts = commands.map((c) => c.text);
    expect(texts.some((t) => /^docker compose up .*--scale worker=3/.test(t))).toBe(true);
    expect(texts).toContain("docker compose run --rm producer -n 25");
    // Kills exactly one replica (`docker compose kill worker` would kill them all).
    expect(readText("deploy/README.md")).toContain("docker kill $(docker compose ps -q worker | head -n 1)");
    expect(texts).not.toContain("docker compose kill worker");
  });
});
