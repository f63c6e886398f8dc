import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canWriteInGsm7,
  charSeptets,
  gsm7Length,
  isGsm7,
  toGsm7,
} from "../../../lambdas/domain/wording/gsm7";

describe("gsm7Length", () => {
  it.each([
    ["", 0],
    ["T-Mobile outage", 15],
    ["AT&T @ £5 ¥ é Ñ ß Δ", 19],
    ["line\nbreak\r", 11],
    ["€", 2],
    ["{}[]~|^\\", 16],
    ["\f", 2],
    ["Price: 5€ [est]", 18],
  ])("counts %j as %d septets", (text, expected) => {
    // Act
    const septets = gsm7Length(text);

    // Assess
    expect(septets).toBe(expected);
  });

  it.each(["“quoted”", "T\u2011Mobile", "caf\u00ed", "\u{1F4F5}", "\t", "中国"])(
    "has no septet count for %j, which would go as UCS-2",
    (text) => {
      // Act
      const septets = gsm7Length(text);

      // Assess
      expect(septets).toBe(Number.POSITIVE_INFINITY);
      expect(isGsm7(text)).toBe(false);
    },
  );

  it("covers exactly the 127 characters of the basic set and the 10 of the extension table (form feed included)", () => {
    // Prepare
    const chars = Array.from({ length: 0x2100 }, (_, code) => String.fromCharCode(code));

    // Act
    const basic = chars.filter((c) => charSeptets(c) === 1);
    const extension = chars.filter((c) => charSeptets(c) === 2);

    // Assess
    expect(basic).toHaveLength(127);
    expect(extension).toHaveLength(10);
    expect(charSeptets("\u001B")).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("toGsm7", () => {
  it.each([
    ["“Down” ‘again’", "\"Down\" 'again'"],
    ["calls – texts — data", "calls - texts - data"],
    ["Wait…", "Wait..."],
    ["10\u00A0000 reports", "10 000 reports"],
    ["AT&T", "AT&T"],
    ["Orange España, Telefónica", "Orange España, Telefonica"],
    ["Façade", "FaÇade"],
    ["zero\u200Bwidth", "zerowidth"],
    ["中国 \u{1F4F5}", "?? ?"],
  ])("writes %j as %j", (text, expected) => {
    // Act
    const converted = toGsm7(text);

    // Assess
    expect(converted).toBe(expected);
  });

  it("always yields GSM-7, whatever it is given", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        // Act
        const converted = toGsm7(text);

        // Assess
        expect(isGsm7(converted)).toBe(true);
      }),
    );
  });

  it("leaves GSM-7 text unchanged", () => {
    // Prepare
    const text = "Verizon (more than 2,000) & AT&T: {ok} [€5] ~^|\\ ¿¡§";

    // Act
    const converted = toGsm7(text);

    // Assess
    expect(converted).toBe(text);
  });
});

describe("canWriteInGsm7", () => {
  it.each([
    ["T-Mobile", true],
    ["Telefónica Movistar", true],
    ["“Quoted” — name", true],
    ["中国移动", false],
    ["Net \u{1F4F5}", false],
  ])("says whether %j survives conversion (%s)", (text, expected) => {
    // Act
    const writable = canWriteInGsm7(text);

    // Assess
    expect(writable).toBe(expected);
  });
});
