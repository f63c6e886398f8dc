/**
 * The regions a report may name, coarse by design: a US state for a service whose area is
 * `us`, a country for one whose area is `world`. Nothing finer is ever taken or stored.
 * Codes are ISO 3166-2 for states (`US-TX`) and ISO 3166-1 alpha-2 for countries (`DE`),
 * the codes CloudFront's viewer headers use; each carries the id the map's shapes use
 * (the state's FIPS code in `us-atlas`, the country's ISO numeric code in `world-atlas`).
 * No dependency: the api, the dashboard and the embeddable button share this list.
 */

/** The areas a service's reports may come from: US states, or countries. */
export const REGION_AREAS = ["us", "world"] as const;

/** An area: `us` (states) or `world` (countries). */
export type RegionArea = (typeof REGION_AREAS)[number];

/**
 * The fewest reports a region must hold before any count of it is shown or named
 * (k-anonymity): fewer are summed into "other regions" and never shown on their own.
 */
export const REGION_MIN_REPORTS = 5;

/** One region: its code, the id of its shape on the map, and its English name. */
export interface Region {
  code: string;
  shapeId: string;
  name: string;
}

type Row = readonly [code: string, shapeId: string, name: string];

let countryNames: Intl.DisplayNames | null | undefined;

/** The English name of a country code, from the runtime; the code where it has none. */
function countryName(code: string): string {
  if (countryNames === undefined) {
    try {
      countryNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
    } catch {
      countryNames = null;
    }
  }
  return countryNames?.of(code) ?? code;
}

/** The countries, in order of name. */
function countryRows(): Row[] {
  return COUNTRY_CODES.split(" ")
    .map((packed): Row => {
      const code = packed.slice(0, 2);
      return [code, packed.slice(2), countryName(code)];
    })
    .sort((a, b) => a[2].localeCompare(b[2], "en"));
}

/** The 50 states and the District of Columbia, as `us-atlas` draws them. */
const US_STATES: readonly Row[] = [
  ["US-AL", "01", "Alabama"],
  ["US-AK", "02", "Alaska"],
  ["US-AZ", "04", "Arizona"],
  ["US-AR", "05", "Arkansas"],
  ["US-CA", "06", "California"],
  ["US-CO", "08", "Colorado"],
  ["US-CT", "09", "Connecticut"],
  ["US-DE", "10", "Delaware"],
  ["US-DC", "11", "District of Columbia"],
  ["US-FL", "12", "Florida"],
  ["US-GA", "13", "Georgia"],
  ["US-HI", "15", "Hawaii"],
  ["US-ID", "16", "Idaho"],
  ["US-IL", "17", "Illinois"],
  ["US-IN", "18", "Indiana"],
  ["US-IA", "19", "Iowa"],
  ["US-KS", "20", "Kansas"],
  ["US-KY", "21", "Kentucky"],
  ["US-LA", "22", "Louisiana"],
  ["US-ME", "23", "Maine"],
  ["US-MD", "24", "Maryland"],
  ["US-MA", "25", "Massachusetts"],
  ["US-MI", "26", "Michigan"],
  ["US-MN", "27", "Minnesota"],
  ["US-MS", "28", "Mississippi"],
  ["US-MO", "29", "Missouri"],
  ["US-MT", "30", "Montana"],
  ["US-NE", "31", "Nebraska"],
  ["US-NV", "32", "Nevada"],
  ["US-NH", "33", "New Hampshire"],
  ["US-NJ", "34", "New Jersey"],
  ["US-NM", "35", "New Mexico"],
  ["US-NY", "36", "New York"],
  ["US-NC", "37", "North Carolina"],
  ["US-ND", "38", "North Dakota"],
  ["US-OH", "39", "Ohio"],
  ["US-OK", "40", "Oklahoma"],
  ["US-OR", "41", "Oregon"],
  ["US-PA", "42", "Pennsylvania"],
  ["US-RI", "44", "Rhode Island"],
  ["US-SC", "45", "South Carolina"],
  ["US-SD", "46", "South Dakota"],
  ["US-TN", "47", "Tennessee"],
  ["US-TX", "48", "Texas"],
  ["US-UT", "49", "Utah"],
  ["US-VT", "50", "Vermont"],
  ["US-VA", "51", "Virginia"],
  ["US-WA", "53", "Washington"],
  ["US-WV", "54", "West Virginia"],
  ["US-WI", "55", "Wisconsin"],
  ["US-WY", "56", "Wyoming"],
];

/**
 * Every ISO 3166-1 country and territory as its alpha-2 code and ISO numeric code
 * (`DE276`), packed: names come from the runtime's own `Intl.DisplayNames`, so neither
 * the functions nor the page carry 250 of them.
 */
const COUNTRY_CODES =
  "AF004 AX248 AL008 DZ012 AS016 AD020 AO024 AI660 AQ010 AG028 AR032 AM051 AW533 AU036 AT040 AZ031 BS044 BH048 BD050 BB052 BY112 BE056 BZ084 BJ204 BM060 BT064 BO068 BA070 BW072 BV074 BR076 IO086 VG092 BN096 BG100 BF854 BI108 KH116 CM120 CA124 CV132 BQ535 KY136 CF140 TD148 CL152 CN156 CX162 CC166 CO170 KM174 CG178 CD180 CK184 CR188 CI384 HR191 CU192 CW531 CY196 CZ203 DK208 DJ262 DM212 DO214 EC218 EG818 SV222 GQ226 ER232 EE233 SZ748 ET231 FK238 FO234 FJ242 FI246 FR250 GF254 PF258 TF260 GA266 GM270 GE268 DE276 GH288 GI292 GR300 GL304 GD308 GP312 GU316 GT320 GG831 GN324 GW624 GY328 HT332 HM334 HN340 HK344 HU348 IS352 IN356 ID360 IR364 IQ368 IE372 IM833 IL376 IT380 JM388 JP392 JE832 JO400 KZ398 KE404 KI296 XK983 KW414 KG417 LA418 LV428 LB422 LS426 LR430 LY434 LI438 LT440 LU442 MO446 MG450 MW454 MY458 MV462 ML466 MT470 MH584 MQ474 MR478 MU480 YT175 MX484 FM583 MD498 MC492 MN496 ME499 MS500 MA504 MZ508 MM104 NA516 NR520 NP524 NL528 NC540 NZ554 NI558 NE562 NG566 NU570 NF574 KP408 MK807 MP580 NO578 OM512 PK586 PW585 PS275 PA591 PG598 PY600 PE604 PH608 PN612 PL616 PT620 PR630 QA634 RE638 RO642 RU643 RW646 WS882 SM674 ST678 SA682 SN686 RS688 SC690 SL694 SG702 SX534 SK703 SI705 SB090 SO706 ZA710 GS239 KR410 SS728 ES724 LK144 BL652 SH654 KN659 LC662 MF663 PM666 VC670 SD729 SR740 SJ744 SE752 CH756 SY760 TW158 TJ762 TZ834 TH764 TL626 TG768 TK772 TO776 TT780 TN788 TR792 TM795 TC796 TV798 UM581 VI850 UG800 UA804 AE784 GB826 US840 UY858 UZ860 VU548 VA336 VE862 VN704 WF876 EH732 YE887 ZM894 ZW716";

const AREA_ROWS: Readonly<Record<RegionArea, () => readonly Row[]>> = {
  us: () => US_STATES,
  world: countryRows,
};

/** Each area's regions in order of name, and by code; made the first time it is asked for. */
const areas = new Map<
  RegionArea,
  { list: readonly Region[]; byCode: ReadonlyMap<string, Region> }
>();

function indexOf(area: RegionArea) {
  let index = areas.get(area);
  if (!index) {
    const list = AREA_ROWS[area]().map(([code, shapeId, name]) => ({ code, shapeId, name }));
    index = { list, byCode: new Map(list.map((region) => [region.code, region])) };
    areas.set(area, index);
  }
  return index;
}

/** The regions of `area`, in order of name (the order a picker lists them). */
export function regionsOf(area: RegionArea): readonly Region[] {
  return indexOf(area).list;
}

/** The region of `area` with `code`, or undefined when `area` has none by that code. */
export function regionOf(area: RegionArea, code: string): Region | undefined {
  return indexOf(area).byCode.get(code);
}

/** The English name of a region code of either area, or the code itself when unknown. */
export function regionName(code: string): string {
  return regionOf(code.startsWith("US-") ? "us" : "world", code)?.name ?? code;
}

/**
 * The code of the region a CloudFront viewer is in, for `area`: the state
 * (`CloudFront-Viewer-Country-Region`, e.g. `TX`) of a viewer in the US for `us`, the
 * country (`CloudFront-Viewer-Country`, e.g. `DE`) for `world`; undefined when the
 * headers name none of the area's regions (a viewer abroad, for a `us` service).
 */
export function viewerRegion(
  area: RegionArea,
  country: string | undefined,
  subdivision: string | undefined,
): string | undefined {
  const nation = country?.trim().toUpperCase();
  if (!nation) return undefined;
  if (area === "world") return regionOf(area, nation)?.code;
  const state = subdivision?.trim().toUpperCase();
  return nation === "US" && state ? regionOf(area, `US-${state}`)?.code : undefined;
}
