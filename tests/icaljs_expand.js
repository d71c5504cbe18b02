// Reads an .ics on stdin; prints a JSON list of occurrences: uid, start and end (Unix seconds,
// or YYYY-MM-DD for all-day), as Thunderbird's engine expands them (exceptions related).
const ICAL = require("ical.js");
let text = "";
process.stdin.on("data", (d) => (text += d));
process.stdin.on("end", () => {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const vtz of comp.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const masters = new Map();
  const exceptions = [];
  for (const ve of comp.getAllSubcomponents("vevent")) {
    if (ve.hasProperty("recurrence-id")) exceptions.push(ve);
    else masters.set(ve.getFirstPropertyValue("uid"), new ICAL.Event(ve));
  }
  for (const ve of exceptions) {
    masters.get(ve.getFirstPropertyValue("uid")).relateException(ve);
  }
  const out = [];
  for (const event of masters.values()) {
    const it = event.iterator();
    let next;
    while ((next = it.next())) {
      const o = event.getOccurrenceDetails(next);
      const day = o.startDate.isDate;
      out.push({
        uid: event.uid,
        start: day ? o.startDate.toString() : o.startDate.toUnixTime(),
        end: day ? o.endDate.toString() : o.endDate.toUnixTime(),
      });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
