import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCompose } from "../support/compose.js";
import { composeCommands } from "../support/compose-commands.js";
import { readText, repoPath } from "../support/repo.js";

/** The README's `docker compose` commands must name only services docker-compose.yml defines. */
describe("README.md", () => {
  it("exists", () => {
    expect(
      existsSync(repoPath("README.md")),
      "README.md is missing at the repository root: it should document the `docker compose` commands",
    ).toBe(true);
  });

  it("names only compose services in its `docker compose` commands", () => {
    if (!existsSync(repoPath("README.md"))) {
      throw new Error(
        "README.md is missing at the repository root, so its docker compose commands cannot be checked",
      );
    }
    const services = Object.keys(loadCompose().services);
    const commands = composeCommands(readText("README.md"));
    expect(commands.length, "README.md has no `docker compose` command in a code block").toBeGreaterThan(0);
    for (const command of commands) {
      for (const name of command.services) expect(services, `README.md: ${command.text}`).toContain(name);
    }
  });
});
