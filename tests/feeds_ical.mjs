// Expand an iCalendar feed with ical.js (the engine of Thunderbird), as a second, independent reader.
//
//   node tests/feeds_ical.mjs 2026-01-01T00:00:00Z 2028-01-01T00:00:00Z < feed.ics
//
// Prints JSON: {"calendar": {...}, "occurrences": [...]}, one occurrence per date between the two
// instants (recurring VEVENTs expanded, RECURRENCE-ID overrides applied, EXDATEs left out), each with
// its UTC start and end, its local wall-clock start and TZID, status, texts and their LANGUAGE.
// The feed's own VTIMEZONEs are registered first, as a client without a zone database of its own does.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const ICAL = (await import(join(here, "..", "node_modules", "ical.js", "dist", "ical.js"))).default;

const [from, to] = process.argv.slice(2);
const rangeStart = new Date(from || "1970-01-01T00:00:00Z");
const rangeEnd = new Date(to || "2100-01-01T00:00:00Z");
const text = readFileSync(0, "utf8");

// Register the zones, then parse again so that every TZID resolves to them (never floating).
const first = new ICAL.Component(ICAL.parse(text));
const zones = [];
for (const vtimezone of first.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone.tzid, zone);
  zones.push(zone.tzid);
}
const calendar = new ICAL.Component(ICAL.parse(text));

function textOf(component, name) {
  const property = component.getFirstProperty(name);
  if (!property) return null;
  return { value: property.getFirstValue(), language: property.getParameter("language") || null };
}

function when(time) {
  return {
    utc: time.toJSDate().toISOString(),
    local: time.toString(),
    tzid: time.zone ? time.zone.tzid : null,
  };
}

const missingZones = new Set();
function checkZone(time) {
  if (time && time.timezone && !zones.includes(time.timezone)) missingZones.add(time.timezone);
  if (time && time.zone && time.zone.tzid === "floating") missingZones.add("floating");
}

function describe(item, start, end, recurrenceId) {
  checkZone(start);
  checkZone(end);
  const s = when(start);
  const e = when(end);
  return {
    uid: item.component.getFirstPropertyValue("uid"),
    recurrence_id: recurrenceId ? recurrenceId.toJSDate().toISOString() : null,
    start: s.utc,
    end: e.utc,
    local_start: s.local,
    local_end: e.local,
    tzid: s.tzid,
    status: item.component.getFirstPropertyValue("status"),
    sequence: item.component.getFirstPropertyValue("sequence"),
    summary: textOf(item.component, "summary"),
    description: textOf(item.component, "description"),
    location: textOf(item.component, "location"),
    url: item.component.getFirstPropertyValue("url"),
  };
}

const occurrences = [];
for (const component of calendar.getAllSubcomponents("vevent")) {
  if (component.hasProperty("recurrence-id")) continue; // related to its master by ICAL.Event
  const event = new ICAL.Event(component);
  if (!event.isRecurring()) {
    const start = event.startDate;
    if (start.toJSDate() < rangeEnd && event.endDate.toJSDate() > rangeStart) {
      occurrences.push(describe(event, start, event.endDate, null));
    }
    continue;
  }
  const iterator = event.iterator();
  let next;
  let guard = 0;
  while ((next = iterator.next()) && guard++ < 100000) {
    const details = event.getOccurrenceDetails(next);
    if (details.startDate.toJSDate() >= rangeEnd) break;
    if (details.endDate.toJSDate() <= rangeStart) continue;
    const item = details.item || event;
    occurrences.push(describe(item, details.startDate, details.endDate, details.recurrenceId));
  }
}
occurrences.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));

process.stdout.write(JSON.stringify({
  calendar: {
    name: textOf(calendar, "x-wr-calname"),
    timezone: calendar.getFirstPropertyValue("x-wr-timezone"),
    zones,
    missing_zones: [...missingZones],
  },
  occurrences,
}));
