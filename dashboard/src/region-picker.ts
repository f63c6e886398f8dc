/**
 * The choice of where a reporter is, as coarse as the service's area allows: a US state
 * for `us`, a country for `world`, or nothing ("Prefer not to say", the default). The
 * dashboard's report dialog and the embeddable button offer the same list, the one
 * `POST /reports` checks a region against.
 */
import { type RegionArea, regionsOf } from "../../contract/regions";
import { h } from "./dom";

/** What the picker asks, by area. */
export function regionPrompt(area: RegionArea): string {
  return area === "us" ? "Your state (optional)" : "Your country (optional)";
}

/** The picker's choices besides "Prefer not to say": the area's regions by name. */
export function regionChoices(area: RegionArea): [code: string, name: string][] {
  return regionsOf(area).map(({ code, name }) => [code, name]);
}

/**
 * A labelled select of the area's regions, "Prefer not to say" first.
 * @example const picker = regionPicker("report-region", "us"); form.append(picker.element);
 */
export function regionPicker(id: string, area: RegionArea) {
  const select = h(
    "select",
    { id, name: "region" },
    h("option", { value: "" }, "Prefer not to say"),
    ...regionChoices(area).map(([code, name]) => h("option", { value: code }, name)),
  );
  return {
    select,
    element: h("div", { class: "field" }, h("label", { for: id }, regionPrompt(area)), select),
  };
}
