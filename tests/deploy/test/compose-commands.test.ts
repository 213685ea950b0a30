import { describe, expect, it } from "vitest";
import { isPinned, parseImageRef } from "../support/compose.js";
import { composeCommands, shellWords } from "../support/compose-commands.js";
import { dockerignoreMatcher, parseDockerfile } from "../support/dockerfile.js";

const fenced = (...lines: string[]) =>
  ["Text `docker compose up nope` outside code.", "```sh", ...lines, "```"].join("\n");

describe("reading docker compose commands from Markdown", () => {
  it("finds the services a command names, skipping option values and run/exec arguments", () => {
    const found = composeCommands(
      fenced(
        "docker compose up -d --build --scale worker=3",
        "$ docker compose run --rm producer -n 25",
        "docker compose exec --index 1 worker node -e \"fetch('x')\"",
        "docker compose logs -f --tail 50 worker resonate",
        "docker compose --profile tools -f docker-compose.yml stop -t 5 worker",
        "docker kill $(docker compose ps -q worker | head -n 1)",
        "docker compose down -v",
      ),
    );
    expect(found.map((c) => [c.subcommand, c.services])).toEqual([
      ["up", ["worker"]],
      ["run", ["producer"]],
      ["exec", ["worker"]],
      ["logs", ["worker", "resonate"]],
      ["stop", ["worker"]],
      ["ps", ["worker"]],
      ["down", []],
    ]);
  });

  it("ignores text outside fenced code blocks and reads indented fences and continuations", () => {
    const found = composeCommands(
      ["- item", "  ```sh", "  docker compose up -d \\", "    redpanda", "  ```"].join("\n"),
    );
    expect(found.map((c) => c.services)).toEqual([["redpanda"]]);
    expect(composeCommands("docker compose up nope")).toEqual([]);
  });

  it("splits shell words at the end of the command", () => {
    expect(shellWords(`docker compose ps -q worker | head -n 1`)).toEqual([
      "docker",
      "compose",
      "ps",
      "-q",
      "worker",
    ]);
    expect(shellWords(`a 'b c' "d" # comment`)).toEqual(["a", "b c", "d"]);
  });
});

describe("image references", () => {
  it("counts exact releases and digests as pinned, moving tags as floating", () => {
    expect(isPinned("docker.redpanda.com/redpandadata/redpanda:v24.3.18")).toBe(true);
    expect(isPinned("node:22.23.3-bookworm-slim")).toBe(true);
    expect(isPinned(`ghcr.io/resonatehq/resonate@sha256:${"a".repeat(64)}`)).toBe(true);
    for (const ref of [
      "node:22-bookworm-slim",
      "node:22",
      "redpanda:v24.3",
      "x:latest",
      "localhost:5000/x",
    ]) {
      expect(isPinned(ref), ref).toBe(false);
    }
    expect(parseImageRef("localhost:5000/x:1.2.3")).toEqual({ repository: "localhost:5000/x", tag: "1.2.3" });
  });
});

describe("Dockerfile and .dockerignore reading", () => {
  it("joins continuations, drops comments and names stages", () => {
    const file = parseDockerfile(
      [
        "ARG BASE=node:22.23.3-bookworm-slim",
        "FROM $BASE AS one",
        "RUN a \\",
        "  # note",
        "  && b",
        "FROM one",
      ].join("\n"),
      "x",
    );
    expect(file.stages.map((s) => [s.name, s.base])).toEqual([
      ["one", "node:22.23.3-bookworm-slim"],
      [undefined, "one"],
    ]);
    expect(file.stages[0]?.instructions.map((i) => i.args)).toEqual(["a && b"]);
  });

  it("matches .dockerignore patterns at any depth", () => {
    const ignored = dockerignoreMatcher("**/node_modules\n**/dist\n.git\n!keep/dist");
    expect(ignored("node_modules")).toBe(true);
    expect(ignored("apps/a/node_modules/x/y.js")).toBe(true);
    expect(ignored("apps/a/dist")).toBe(true);
    expect(ignored("keep/dist")).toBe(false);
    expect(ignored(".gitignore")).toBe(false);
    expect(ignored("src/distance.ts")).toBe(false);
  });
});
