// Map geometry ids -> aimeter zone codes, and a zone's figure the way `aimeter whatif`
// would look it up. Pure (web/test/whatif-codes): the tables are passed in.
//  - world-atlas countries: ISO 3166-1 numeric ids ("250") -> alpha-2 ("FR") through
//    i18n-iso-countries' codes.json; three Natural Earth shapes have no ISO id: Kosovo is
//    XK (as the tables spell it), N. Cyprus and Somaliland have no zone of their own.
//  - us-atlas states: FIPS state codes ("06") -> "US-CA".

const BY_NAME = { Kosovo: 'XK' };

/** codes.json rows ([alpha2, alpha3, numeric, ...]) -> Map numeric -> alpha-2. */
export function numericIndex(rows) {
  const m = new Map();
  for (const r of rows) if (Array.isArray(r) && r[2]) m.set(String(r[2]), r[0]);
  return m;
}

/** A world-atlas feature's zone code, or null. */
export function countryCode(feature, index) {
  if (feature?.id !== undefined && feature.id !== null && index.has(String(feature.id))) {
    return index.get(String(feature.id));
  }
  return BY_NAME[feature?.properties?.name] ?? null;
}

// FIPS 5-2 state codes (us-atlas ids) -> USPS; 56 shapes: the states, DC and territories
const FIPS = {
  '01': 'AL', '02': 'AK', '04': 'AZ', '05': 'AR', '06': 'CA', '08': 'CO', '09': 'CT', 10: 'DE',
  11: 'DC', 12: 'FL', 13: 'GA', 15: 'HI', 16: 'ID', 17: 'IL', 18: 'IN', 19: 'IA', 20: 'KS',
  21: 'KY', 22: 'LA', 23: 'ME', 24: 'MD', 25: 'MA', 26: 'MI', 27: 'MN', 28: 'MS', 29: 'MO',
  30: 'MT', 31: 'NE', 32: 'NV', 33: 'NH', 34: 'NJ', 35: 'NM', 36: 'NY', 37: 'NC', 38: 'ND',
  39: 'OH', 40: 'OK', 41: 'OR', 42: 'PA', 44: 'RI', 45: 'SC', 46: 'SD', 47: 'TN', 48: 'TX',
  49: 'UT', 50: 'VT', 51: 'VA', 53: 'WA', 54: 'WV', 55: 'WI', 56: 'WY',
  60: 'AS', 66: 'GU', 69: 'MP', 72: 'PR', 78: 'VI',
};
// the territories have ISO codes of their own, which is how the tables spell them
const TERRITORY = new Set(['AS', 'GU', 'MP', 'PR', 'VI']);

/** A us-atlas state's zone code ("US-CA"; a territory's own: "PR"), or null. */
export function stateCode(feature) {
  const p = FIPS[String(feature?.id ?? '')];
  if (!p) return null;
  return TERRITORY.has(p) ? p : `US-${p}`;
}

/** rows of /api/zones -> Map code -> row. */
export function zoneIndex(rows) {
  const m = new Map();
  for (const r of Array.isArray(rows) ? rows : []) if (r && r.code) m.set(r.code, r);
  return m;
}

/** The row that prices `code`: its own; for a marginal signal, a sub-national zone without
 * a row of its own takes its country's ("US-CA" -> "US"), as `whatif CODE@marginal` does.
 * {row, used} or {row: null, used: null}. */
export function rowFor(code, index, signal = 'average') {
  if (index.has(code)) return { row: index.get(code), used: code };
  if (signal === 'marginal' && code.includes('-')) {
    const country = code.split('-')[0];
    if (index.has(country)) return { row: index.get(country), used: country };
  }
  return { row: null, used: null };
}

/** The --zones item (and whatif?zones= value) for a zone under a signal and year:
 * "FR", "FR@2010", "FR@marginal". A year applies to the average signal only (the marginal
 * table has one year). */
export function zoneArg(code, { signal = 'average', year = null } = {}) {
  if (!code) return null;
  if (signal === 'marginal') return `${code}@marginal`;
  if (year) return `${code}@${year}`;
  return code;
}
