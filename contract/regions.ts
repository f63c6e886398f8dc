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

/** Every ISO 3166-1 country and territory, in order of name. */
const COUNTRIES: readonly Row[] = [
  ["AF", "004", "Afghanistan"],
  ["AX", "248", "Åland Islands"],
  ["AL", "008", "Albania"],
  ["DZ", "012", "Algeria"],
  ["AS", "016", "American Samoa"],
  ["AD", "020", "Andorra"],
  ["AO", "024", "Angola"],
  ["AI", "660", "Anguilla"],
  ["AQ", "010", "Antarctica"],
  ["AG", "028", "Antigua & Barbuda"],
  ["AR", "032", "Argentina"],
  ["AM", "051", "Armenia"],
  ["AW", "533", "Aruba"],
  ["AU", "036", "Australia"],
  ["AT", "040", "Austria"],
  ["AZ", "031", "Azerbaijan"],
  ["BS", "044", "Bahamas"],
  ["BH", "048", "Bahrain"],
  ["BD", "050", "Bangladesh"],
  ["BB", "052", "Barbados"],
  ["BY", "112", "Belarus"],
  ["BE", "056", "Belgium"],
  ["BZ", "084", "Belize"],
  ["BJ", "204", "Benin"],
  ["BM", "060", "Bermuda"],
  ["BT", "064", "Bhutan"],
  ["BO", "068", "Bolivia"],
  ["BA", "070", "Bosnia & Herzegovina"],
  ["BW", "072", "Botswana"],
  ["BV", "074", "Bouvet Island"],
  ["BR", "076", "Brazil"],
  ["IO", "086", "British Indian Ocean Territory"],
  ["VG", "092", "British Virgin Islands"],
  ["BN", "096", "Brunei"],
  ["BG", "100", "Bulgaria"],
  ["BF", "854", "Burkina Faso"],
  ["BI", "108", "Burundi"],
  ["KH", "116", "Cambodia"],
  ["CM", "120", "Cameroon"],
  ["CA", "124", "Canada"],
  ["CV", "132", "Cape Verde"],
  ["BQ", "535", "Caribbean Netherlands"],
  ["KY", "136", "Cayman Islands"],
  ["CF", "140", "Central African Republic"],
  ["TD", "148", "Chad"],
  ["CL", "152", "Chile"],
  ["CN", "156", "China"],
  ["CX", "162", "Christmas Island"],
  ["CC", "166", "Cocos (Keeling) Islands"],
  ["CO", "170", "Colombia"],
  ["KM", "174", "Comoros"],
  ["CG", "178", "Congo - Brazzaville"],
  ["CD", "180", "Congo - Kinshasa"],
  ["CK", "184", "Cook Islands"],
  ["CR", "188", "Costa Rica"],
  ["CI", "384", "Côte d’Ivoire"],
  ["HR", "191", "Croatia"],
  ["CU", "192", "Cuba"],
  ["CW", "531", "Curaçao"],
  ["CY", "196", "Cyprus"],
  ["CZ", "203", "Czechia"],
  ["DK", "208", "Denmark"],
  ["DJ", "262", "Djibouti"],
  ["DM", "212", "Dominica"],
  ["DO", "214", "Dominican Republic"],
  ["EC", "218", "Ecuador"],
  ["EG", "818", "Egypt"],
  ["SV", "222", "El Salvador"],
  ["GQ", "226", "Equatorial Guinea"],
  ["ER", "232", "Eritrea"],
  ["EE", "233", "Estonia"],
  ["SZ", "748", "Eswatini"],
  ["ET", "231", "Ethiopia"],
  ["FK", "238", "Falkland Islands"],
  ["FO", "234", "Faroe Islands"],
  ["FJ", "242", "Fiji"],
  ["FI", "246", "Finland"],
  ["FR", "250", "France"],
  ["GF", "254", "French Guiana"],
  ["PF", "258", "French Polynesia"],
  ["TF", "260", "French Southern Territories"],
  ["GA", "266", "Gabon"],
  ["GM", "270", "Gambia"],
  ["GE", "268", "Georgia"],
  ["DE", "276", "Germany"],
  ["GH", "288", "Ghana"],
  ["GI", "292", "Gibraltar"],
  ["GR", "300", "Greece"],
  ["GL", "304", "Greenland"],
  ["GD", "308", "Grenada"],
  ["GP", "312", "Guadeloupe"],
  ["GU", "316", "Guam"],
  ["GT", "320", "Guatemala"],
  ["GG", "831", "Guernsey"],
  ["GN", "324", "Guinea"],
  ["GW", "624", "Guinea-Bissau"],
  ["GY", "328", "Guyana"],
  ["HT", "332", "Haiti"],
  ["HM", "334", "Heard & McDonald Islands"],
  ["HN", "340", "Honduras"],
  ["HK", "344", "Hong Kong SAR China"],
  ["HU", "348", "Hungary"],
  ["IS", "352", "Iceland"],
  ["IN", "356", "India"],
  ["ID", "360", "Indonesia"],
  ["IR", "364", "Iran"],
  ["IQ", "368", "Iraq"],
  ["IE", "372", "Ireland"],
  ["IM", "833", "Isle of Man"],
  ["IL", "376", "Israel"],
  ["IT", "380", "Italy"],
  ["JM", "388", "Jamaica"],
  ["JP", "392", "Japan"],
  ["JE", "832", "Jersey"],
  ["JO", "400", "Jordan"],
  ["KZ", "398", "Kazakhstan"],
  ["KE", "404", "Kenya"],
  ["KI", "296", "Kiribati"],
  ["XK", "983", "Kosovo"],
  ["KW", "414", "Kuwait"],
  ["KG", "417", "Kyrgyzstan"],
  ["LA", "418", "Laos"],
  ["LV", "428", "Latvia"],
  ["LB", "422", "Lebanon"],
  ["LS", "426", "Lesotho"],
  ["LR", "430", "Liberia"],
  ["LY", "434", "Libya"],
  ["LI", "438", "Liechtenstein"],
  ["LT", "440", "Lithuania"],
  ["LU", "442", "Luxembourg"],
  ["MO", "446", "Macao SAR China"],
  ["MG", "450", "Madagascar"],
  ["MW", "454", "Malawi"],
  ["MY", "458", "Malaysia"],
  ["MV", "462", "Maldives"],
  ["ML", "466", "Mali"],
  ["MT", "470", "Malta"],
  ["MH", "584", "Marshall Islands"],
  ["MQ", "474", "Martinique"],
  ["MR", "478", "Mauritania"],
  ["MU", "480", "Mauritius"],
  ["YT", "175", "Mayotte"],
  ["MX", "484", "Mexico"],
  ["FM", "583", "Micronesia"],
  ["MD", "498", "Moldova"],
  ["MC", "492", "Monaco"],
  ["MN", "496", "Mongolia"],
  ["ME", "499", "Montenegro"],
  ["MS", "500", "Montserrat"],
  ["MA", "504", "Morocco"],
  ["MZ", "508", "Mozambique"],
  ["MM", "104", "Myanmar (Burma)"],
  ["NA", "516", "Namibia"],
  ["NR", "520", "Nauru"],
  ["NP", "524", "Nepal"],
  ["NL", "528", "Netherlands"],
  ["NC", "540", "New Caledonia"],
  ["NZ", "554", "New Zealand"],
  ["NI", "558", "Nicaragua"],
  ["NE", "562", "Niger"],
  ["NG", "566", "Nigeria"],
  ["NU", "570", "Niue"],
  ["NF", "574", "Norfolk Island"],
  ["KP", "408", "North Korea"],
  ["MK", "807", "North Macedonia"],
  ["MP", "580", "Northern Mariana Islands"],
  ["NO", "578", "Norway"],
  ["OM", "512", "Oman"],
  ["PK", "586", "Pakistan"],
  ["PW", "585", "Palau"],
  ["PS", "275", "Palestinian Territories"],
  ["PA", "591", "Panama"],
  ["PG", "598", "Papua New Guinea"],
  ["PY", "600", "Paraguay"],
  ["PE", "604", "Peru"],
  ["PH", "608", "Philippines"],
  ["PN", "612", "Pitcairn Islands"],
  ["PL", "616", "Poland"],
  ["PT", "620", "Portugal"],
  ["PR", "630", "Puerto Rico"],
  ["QA", "634", "Qatar"],
  ["RE", "638", "Réunion"],
  ["RO", "642", "Romania"],
  ["RU", "643", "Russia"],
  ["RW", "646", "Rwanda"],
  ["WS", "882", "Samoa"],
  ["SM", "674", "San Marino"],
  ["ST", "678", "São Tomé & Príncipe"],
  ["SA", "682", "Saudi Arabia"],
  ["SN", "686", "Senegal"],
  ["RS", "688", "Serbia"],
  ["SC", "690", "Seychelles"],
  ["SL", "694", "Sierra Leone"],
  ["SG", "702", "Singapore"],
  ["SX", "534", "Sint Maarten"],
  ["SK", "703", "Slovakia"],
  ["SI", "705", "Slovenia"],
  ["SB", "090", "Solomon Islands"],
  ["SO", "706", "Somalia"],
  ["ZA", "710", "South Africa"],
  ["GS", "239", "South Georgia & South Sandwich Islands"],
  ["KR", "410", "South Korea"],
  ["SS", "728", "South Sudan"],
  ["ES", "724", "Spain"],
  ["LK", "144", "Sri Lanka"],
  ["BL", "652", "St. Barthélemy"],
  ["SH", "654", "St. Helena"],
  ["KN", "659", "St. Kitts & Nevis"],
  ["LC", "662", "St. Lucia"],
  ["MF", "663", "St. Martin"],
  ["PM", "666", "St. Pierre & Miquelon"],
  ["VC", "670", "St. Vincent & Grenadines"],
  ["SD", "729", "Sudan"],
  ["SR", "740", "Suriname"],
  ["SJ", "744", "Svalbard & Jan Mayen"],
  ["SE", "752", "Sweden"],
  ["CH", "756", "Switzerland"],
  ["SY", "760", "Syria"],
  ["TW", "158", "Taiwan"],
  ["TJ", "762", "Tajikistan"],
  ["TZ", "834", "Tanzania"],
  ["TH", "764", "Thailand"],
  ["TL", "626", "Timor-Leste"],
  ["TG", "768", "Togo"],
  ["TK", "772", "Tokelau"],
  ["TO", "776", "Tonga"],
  ["TT", "780", "Trinidad & Tobago"],
  ["TN", "788", "Tunisia"],
  ["TR", "792", "Türkiye"],
  ["TM", "795", "Turkmenistan"],
  ["TC", "796", "Turks & Caicos Islands"],
  ["TV", "798", "Tuvalu"],
  ["UM", "581", "U.S. Outlying Islands"],
  ["VI", "850", "U.S. Virgin Islands"],
  ["UG", "800", "Uganda"],
  ["UA", "804", "Ukraine"],
  ["AE", "784", "United Arab Emirates"],
  ["GB", "826", "United Kingdom"],
  ["US", "840", "United States"],
  ["UY", "858", "Uruguay"],
  ["UZ", "860", "Uzbekistan"],
  ["VU", "548", "Vanuatu"],
  ["VA", "336", "Vatican City"],
  ["VE", "862", "Venezuela"],
  ["VN", "704", "Vietnam"],
  ["WF", "876", "Wallis & Futuna"],
  ["EH", "732", "Western Sahara"],
  ["YE", "887", "Yemen"],
  ["ZM", "894", "Zambia"],
  ["ZW", "716", "Zimbabwe"],
];

const AREA_ROWS: Readonly<Record<RegionArea, readonly Row[]>> = {
  us: US_STATES,
  world: COUNTRIES,
};

const byArea = new Map<RegionArea, readonly Region[]>();
const byCode = new Map<string, Region>();

/** The regions of `area`, in order of name (the order a picker lists them). */
export function regionsOf(area: RegionArea): readonly Region[] {
  let regions = byArea.get(area);
  if (!regions) {
    regions = AREA_ROWS[area].map(([code, shapeId, name]) => ({ code, shapeId, name }));
    byArea.set(area, regions);
    for (const region of regions) byCode.set(region.code, region);
  }
  return regions;
}

/** The region of `area` with `code`, or undefined when `area` has none by that code. */
export function regionOf(area: RegionArea, code: string): Region | undefined {
  regionsOf(area);
  const region = byCode.get(code);
  return region && (area === "us") === region.code.startsWith("US-") ? region : undefined;
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
