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
