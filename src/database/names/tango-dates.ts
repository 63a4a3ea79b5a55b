/*
 * Dates as cppTango's DataBaseds prints them, in the server's local time: DbGetDeviceInfo
 * formats with MySQL's DATE_FORMAT('%D %M %Y at %H:%i:%s') ("6th December 2026 at 05:46:29"),
 * DbInfo prints the DATETIME column as is ("2026-12-06 05:46:29").
 */

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const two = (n: number): string => String(n).padStart(2, "0");

/** MySQL's %D: the day of the month with its English suffix (1st, 2nd, 3rd, 11th, 22nd...). */
function dayWithSuffix(day: number): string {
  const teen = day % 100 >= 11 && day % 100 <= 13;
  const suffix = teen ? "th" : ["th", "st", "nd", "rd"][day % 10] ?? "th";
  return `${day}${suffix}`;
}

/** "6th December 2026 at 05:46:29" (DbGetDeviceInfo's started and stopped dates). */
export function formatInfoDate(date: Date): string {
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${dayWithSuffix(date.getDate())} ${MONTHS[date.getMonth()] ?? ""} ${date.getFullYear()} at ${time}`;
}

/** "2026-12-06 05:46:29" (a MySQL DATETIME as text, as DbInfo shows the start time). */
export function formatSqlDate(date: Date): string {
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
