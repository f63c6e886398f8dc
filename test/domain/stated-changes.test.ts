/** What a status source's read changed in what its provider states (`domain/stated-changes.ts`). */
import { describe, expect, it } from "vitest";
import type { StatedIncident } from "../../lambdas/domain/count-source";
import { MAX_STATED, statedChanges } from "../../lambdas/domain/stated-changes";

const incident = (key: string): StatedIncident => ({
  key,
  title: `Incident ${key}`,
  startedAt: 0,
  scopes: [],
});

describe("statedChanges", () => {
  it("reports the new and the ended ones and remembers the stated keys beside the source's memory", () => {
    // Act
    const changes = statedChanges({ etag: "a", stated: "x\ny" }, [incident("y"), incident("z")], {
      etag: "b",
    });

    // Assess
    expect(changes.started.map((i) => i.key)).toEqual(["z"]);
    expect(changes.ended).toEqual(["x"]);
    expect(changes.memory).toEqual({ etag: "b", stated: "y\nz" });
  });

  it("changes nothing when the same incidents are stated again", () => {
    const changes = statedChanges({ stated: "y" }, [incident("y")], { etag: "b" });
    expect(changes).toEqual({ started: [], ended: [], memory: { etag: "b", stated: "y" } });
  });

  it("carries the stated keys over a read that could not tell (a 304)", () => {
    const changes = statedChanges({ etag: "a", stated: "y" }, undefined, { etag: "a", level: 2 });
    expect(changes).toEqual({
      started: [],
      ended: [],
      memory: { etag: "a", level: 2, stated: "y" },
    });
  });

  it("ends everything when the page states nothing, and drops the memory entry", () => {
    const changes = statedChanges({ etag: "a", stated: "x\ny" }, [], { etag: "b" });
    expect(changes).toEqual({ started: [], ended: ["x", "y"], memory: { etag: "b" } });
  });

  it("keeps track of at most MAX_STATED, and skips keys it could not remember", () => {
    // Prepare
    const many = Array.from({ length: MAX_STATED + 5 }, (_, i) => incident(`k${i}`));

    // Act
    const changes = statedChanges(null, [incident("a\nb"), incident(""), ...many], undefined);

    // Assess
    expect(changes.started).toHaveLength(MAX_STATED);
    expect(String(changes.memory?.stated).split("\n")).toHaveLength(MAX_STATED);
  });
});
