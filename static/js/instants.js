// Times and ids the client makes for the records it sends.

const pad = (n, width = 2) => String(Math.floor(Math.abs(n))).padStart(width, "0");

// "2026-03-01T18:05:07.250+01:00": local time with its UTC offset, as the API expects.
export function localInstant(when = new Date()) {
  const date = when instanceof Date ? when : new Date(when);
  const offset = -date.getTimezoneOffset();
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${offset < 0 ? "-" : "+"}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

// A v4 UUID, made by the outbox (loaded on every page before the modules run), so the
// page and the service worker share one way of making ids.
export const newId = () => self.CrampOutbox.newClientId();

// The UTC offset of a timezone at a moment, in minutes ("GMT+05:30" → 330).
function offsetMinutes(zone, moment) {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(moment)
    .find((part) => part.type === "timeZoneName").value;
  const match = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

// Now as a date and a time of day on the wall clocks of a timezone: ["2026-03-01", "18:05"].
export function zonedNow(zone, when = new Date()) {
  const local = new Date(when.getTime() + offsetMinutes(zone, when) * 60000);
  const iso = local.toISOString();
  return [iso.slice(0, 10), iso.slice(11, 16)];
}

// A date and time typed on a timezone's wall clock, with that zone's offset then.
export function zonedInstant(day, clock, zone) {
  const wall = Date.parse(`${day}T${clock}:00Z`);
  let offset = offsetMinutes(zone, new Date(wall));
  offset = offsetMinutes(zone, new Date(wall - offset * 60000));
  return `${day}T${clock}:00${offset < 0 ? "-" : "+"}${pad(offset / 60)}:${pad(offset % 60)}`;
}
